package dev.veil.audit;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One stream of the audit table, read in seq order (or newest first) through a server-side cursor (a fetch size inside a
 * read-only transaction, so memory stays flat). A query's seq and time range, type, identity and decision go into
 * the WHERE clause; relation, tag, decision and rule also become substring tests on the line when their
 * value cannot be escaped in JSON. All of this only narrows: the caller still parses and filters every line,
 * and the verifier checks that the columns agree with the lines (an edited column could hide a row).
 */
public final class PostgresAuditSource implements AuditSource {
    private static final int FETCH = 500;
    /** Characters JSON never escapes: a value made of them appears verbatim in the line. */
    private static final Pattern VERBATIM = Pattern.compile("[A-Za-z0-9_.$@:/ -]+");

    private final AuditTable table;
    private final String stream;

    PostgresAuditSource(AuditTable table, String stream) {
        this.table = table;
        this.stream = stream;
    }

    public String stream() {
        return stream;
    }

    @Override
    public String name() {
        return table.name() + " stream " + stream;
    }

    @Override
    public long read(AuditQuery hint, Reader out) throws IOException {
        List<Object> args = new ArrayList<>();
        String sql = "SELECT seq, time, type, identity, hash, line FROM " + table.table() + " WHERE stream = ?" + where(hint, args)
                + (hint.order() == AuditQuery.Order.NEWEST_FIRST ? " ORDER BY seq DESC" : " ORDER BY seq");
        try (Connection c = table.connect()) {
            c.setAutoCommit(false); // pgjdbc only uses a cursor (fetch size) inside a transaction
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setFetchSize(FETCH);
                ps.setString(1, stream);
                for (int i = 0; i < args.size(); i++) {
                    ps.setObject(i + 2, args.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long seq = rs.getLong(1);
                        Row row = new Row(seq, rs.getObject(2, OffsetDateTime.class).toInstant(), rs.getString(3), rs.getString(4), rs.getString(5));
                        if (!out.accept(new Entry(stream, seq, "stream " + stream + " seq " + seq, rs.getString(6), false, row))) {
                            break;
                        }
                    }
                }
            } finally {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the read failed or the connection is gone; the connection is closed next either way
                }
            }
            return 1;
        } catch (SQLException e) {
            throw table.failure(e);
        }
    }

    /** The SQL conditions a query allows, appended to {@code args}; each is implied by the query's own filter. */
    static String where(AuditQuery q, List<Object> args) {
        StringBuilder w = new StringBuilder();
        // Widened by a millisecond: the column holds microseconds, the line (which decides) may hold more.
        if (q.from() != null) {
            w.append(" AND time >= ?");
            args.add(OffsetDateTime.ofInstant(q.from().minusMillis(1), ZoneOffset.UTC));
        }
        if (q.to() != null) {
            w.append(" AND time < ?");
            args.add(OffsetDateTime.ofInstant(q.to().plusMillis(1), ZoneOffset.UTC));
        }
        if (q.afterSeq() != null) {
            w.append(" AND seq > ?");
            args.add(q.afterSeq());
        }
        if (q.beforeSeq() != null) {
            w.append(" AND seq < ?");
            args.add(q.beforeSeq());
        }
        if (q.type() != null) {
            w.append(" AND type = ?");
            args.add(q.type());
        }
        if (q.identity() != null) {
            w.append(" AND identity = ?");
            args.add(q.identity());
        }
        if (q.decision() != null || q.rule() != null) {
            // Only decisions carry a verdict and a rule.
            w.append(" AND type = 'statement.decided'");
        }
        contains(w, args, "\"verdict\":\"", q.decision(), "\"");
        contains(w, args, "\"rule\":\"", q.rule(), "\"");
        contains(w, args, "", q.relation(), "");
        contains(w, args, "", q.tag(), "");
        return w.toString();
    }

    private static void contains(StringBuilder w, List<Object> args, String before, String value, String after) {
        if (value == null || !VERBATIM.matcher(value).matches()) {
            return;
        }
        w.append(" AND strpos(lower(line COLLATE \"C\"), ?) > 0");
        // lower() under "C" folds ASCII only, like the Java side: no locale can turn an I into a dotless ı.
        args.add((before + value + after).toLowerCase(Locale.ROOT));
    }
}
