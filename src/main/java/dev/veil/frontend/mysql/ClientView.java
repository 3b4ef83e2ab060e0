package dev.veil.frontend.mysql;

import dev.veil.analysis.Dialect;
import dev.veil.analysis.text.SqlTokenizer;
import dev.veil.analysis.text.Token;
import dev.veil.analysis.text.TokenKind;
import dev.veil.rewrite.ResultColumn;
import dev.veil.rewrite.ResultRewriter;
import dev.veil.rewrite.ResultRow;
import io.vertx.core.buffer.Buffer;

import javax.net.ssl.SSLSession;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a client reads of its own connection, as it would read it straight from the server. The server
 * describes the connection it has, Veil's pooled one: its TLS (the Ssl_* session status variables) and its
 * thread id (CONNECTION_ID()). In the answers of the statements that can show them, those values are replaced
 * with the client's own: its connection to Veil (no TLS, or Veil's cipher and certificate) and the connection id
 * of Veil's handshake, which is the one KILL takes. A {@link ResultRewriter} per statement that may show them;
 * every other statement keeps the copy-free path.
 */
final class ClientView {
    /** OpenSSL's form of certificate dates, as in Ssl_server_not_after: "Dec  3 04:01:23 2036 GMT". */
    private static final DateTimeFormatter CERT_DATE = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss yyyy 'GMT'", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);
    /** Words after a select item that end it: the item had no alias. */
    private static final Set<String> ITEM_ENDS = Set.of("FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "UNION",
            "INTO", "FOR", "LOCK", "WINDOW", "EXCEPT", "INTERSECT", "RETURNING", "OFFSET", "FETCH");
    /** CONNECTION_ID() is an unsigned INT on MariaDB, an unsigned BIGINT on MySQL. */
    private static final int MYSQL_TYPE_LONG = 0x03;
    private static final int MYSQL_TYPE_LONGLONG = 0x08;

    private final long veilId;
    private final long serverThreadId;
    /** Session status variables (lower case) and the client's own value of each. */
    private final Map<String, String> ssl;

    private ClientView(long veilId, long serverThreadId, Map<String, String> ssl) {
        this.veilId = veilId;
        this.serverThreadId = serverThreadId;
        this.ssl = ssl;
    }

    /** {@code tls}: the client's TLS session with Veil, null for a plain connection. */
    static ClientView of(long veilId, long serverThreadId, SSLSession tls) {
        Map<String, String> ssl = new HashMap<>();
        if (tls == null) {
            // What MariaDB and MySQL report to a client without TLS.
            for (String name : List.of("ssl_cipher", "ssl_cipher_list", "ssl_version", "ssl_server_not_before", "ssl_server_not_after")) {
                ssl.put(name, "");
            }
            for (String name : List.of("ssl_default_timeout", "ssl_verify_depth", "ssl_verify_mode")) {
                ssl.put(name, "0");
            }
        } else {
            // Java's (IANA) cipher suite name: for TLS 1.3 the same as OpenSSL's, for TLS 1.2 spelt differently.
            ssl.put("ssl_cipher", tls.getCipherSuite());
            ssl.put("ssl_cipher_list", tls.getCipherSuite());
            ssl.put("ssl_version", tls.getProtocol());
            X509Certificate cert = certificate(tls);
            if (cert != null) {
                ssl.put("ssl_server_not_before", CERT_DATE.format(cert.getNotBefore().toInstant()));
                ssl.put("ssl_server_not_after", CERT_DATE.format(cert.getNotAfter().toInstant()));
            }
        }
        return new ClientView(veilId, serverThreadId, Map.copyOf(ssl));
    }

    private static X509Certificate certificate(SSLSession tls) {
        Certificate[] local = tls.getLocalCertificates();
        return local != null && local.length > 0 && local[0] instanceof X509Certificate x ? x : null;
    }

    /**
     * The rewriter for the answer of {@code sql}, or null when its answer cannot show what this view replaces:
     * a status read (SHOW [SESSION] STATUS, the *_STATUS tables), or CONNECTION_ID() as a select item.
     */
    ResultRewriter forStatement(String sql) {
        if (sql == null) {
            return null;
        }
        boolean status = mentions(sql, "status") && (mentions(sql, "_status") || mentions(sql, "show"));
        Set<String> idLabels = mentions(sql, "connection_id") ? connectionIdLabels(sql) : Set.of();
        return status || !idLabels.isEmpty() ? new Rewriter(status, idLabels) : null;
    }

    /**
     * The labels CONNECTION_ID() takes in the result of {@code sql}: its alias, or without one the call as
     * written (the servers label an unaliased item with its text). A call inside an expression is left alone.
     */
    static Set<String> connectionIdLabels(String sql) {
        List<Token> code = SqlTokenizer.forDialect(Dialect.MYSQL).tokenize(sql).code();
        Set<String> labels = new HashSet<>();
        for (int i = 0; i + 2 < code.size(); i++) {
            if (!code.get(i).is("CONNECTION_ID") || !code.get(i + 1).isPunct('(') || !code.get(i + 2).isPunct(')')) {
                continue;
            }
            Token next = i + 3 < code.size() ? code.get(i + 3) : null;
            if (next == null || next.isPunct(',') || next.isPunct(';') || ITEM_ENDS.contains(next.text().toUpperCase(Locale.ROOT))) {
                labels.add(sql.substring(code.get(i).start(), code.get(i + 2).end()));
            } else {
                Token alias = next.is("AS") && i + 4 < code.size() ? code.get(i + 4) : next;
                if (alias.isName() || alias.kind() == TokenKind.STRING) {
                    labels.add(alias.value() != null ? alias.value() : alias.text());
                }
            }
        }
        return labels;
    }

    /** True when {@code sql} contains {@code word} (lower-case ASCII), ignoring case. */
    private static boolean mentions(String sql, String word) {
        int last = sql.length() - word.length();
        for (int i = 0; i <= last; i++) {
            if (Character.toLowerCase(sql.charAt(i)) == word.charAt(0) && sql.regionMatches(true, i, word, 0, word.length())) {
                return true;
            }
        }
        return false;
    }

    /** One statement's answer: each result set is looked at by its columns, then its rows changed where they show the link. */
    private final class Rewriter implements ResultRewriter {
        private final boolean status;
        private final Set<String> idLabels;
        private int nameColumn = -1;
        private int valueColumn = -1;
        private int[] idColumns = new int[0];
        /** Per column of the result, its value's size in the binary protocol (4 or 8) where it is an id column. */
        private int[] idSizes = new int[0];
        private boolean binary;

        Rewriter(boolean status, Set<String> idLabels) {
            this.status = status;
            this.idLabels = idLabels;
        }

        @Override
        public void columns(List<ResultColumn> columns) {
            nameColumn = -1;
            valueColumn = -1;
            idColumns = new int[0];
            idSizes = new int[columns.size()];
            binary = !columns.isEmpty() && columns.get(0).format() == ResultColumn.Format.BINARY;
            for (int i = 0; i < columns.size(); i++) {
                ResultColumn c = columns.get(i);
                String label = c.name().toLowerCase(Locale.ROOT);
                if (status && label.equals("variable_name")) {
                    nameColumn = i;
                } else if (status && (label.equals("value") || label.equals("variable_value"))) {
                    valueColumn = i;
                } else if ((c.typeId() == MYSQL_TYPE_LONG || c.typeId() == MYSQL_TYPE_LONGLONG)
                        && idLabels.stream().anyMatch(c.name()::equalsIgnoreCase)) {
                    idColumns = append(idColumns, i);
                    idSizes[i] = c.typeId() == MYSQL_TYPE_LONG ? 4 : 8;
                }
            }
        }

        @Override
        public ResultRow row(ResultRow row) {
            ResultRow out = row;
            if (nameColumn >= 0 && valueColumn >= 0 && !row.isNull(nameColumn)) {
                String mine = ssl.get(row.text(nameColumn).toLowerCase(Locale.ROOT));
                if (mine != null) {
                    out = out.with(valueColumn, Buffer.buffer(mine));
                }
            }
            for (int column : idColumns) {
                if (!row.isNull(column) && id(row.value(column), idSizes[column]) == serverThreadId) {
                    out = out.with(column, !binary ? Buffer.buffer(Long.toString(veilId))
                            : idSizes[column] == 4 ? Buffer.buffer(4).appendUnsignedIntLE(veilId) : Buffer.buffer(8).appendLongLE(veilId));
                }
            }
            return out;
        }

        /** An unsigned integer value: 4 or 8 bytes little-endian in the binary protocol, digits in text; -1 if neither. */
        private long id(Buffer value, int size) {
            if (binary) {
                return value.length() != size ? -1 : size == 4 ? value.getUnsignedIntLE(0) : value.getLongLE(0);
            }
            try {
                return Long.parseUnsignedLong(value.toString());
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }

    private static int[] append(int[] a, int v) {
        int[] b = Arrays.copyOf(a, a.length + 1);
        b[a.length] = v;
        return b;
    }
}
