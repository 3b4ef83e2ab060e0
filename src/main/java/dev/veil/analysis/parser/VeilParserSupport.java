package dev.veil.analysis.parser;

import dev.veil.analysis.StatementKind;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.util.SqlShuttle;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Token-level helpers for statements whose kind is all that matters (transaction control, SHOW, DDL). They
 * consume words with the generated parser's own token stream, so the statement still has to end where the parser
 * expects its end: a second statement after a semicolon is never swallowed.
 */
public final class VeilParserSupport {
    private static final Set<String> TRANSACTION_WORDS = Set.of("WORK", "TRANSACTION", "ISOLATION", "LEVEL",
            "SERIALIZABLE", "REPEATABLE", "READ", "COMMITTED", "UNCOMMITTED", "WRITE", "ONLY", "NOT", "DEFERRABLE",
            "WITH", "CONSISTENT", "SNAPSHOT", "AND", "NO", "CHAIN", "RELEASE", "TO", "SAVEPOINT", "PREPARED", ",");
    private static final Set<String> NAMED_AFTER = Set.of("SAVEPOINT", "RELEASE", "TO");
    private static final Set<String> OBJECT_WORDS = Set.of("TABLE", "VIEW", "INDEX", "SEQUENCE", "SCHEMA",
            "DATABASE", "FUNCTION", "PROCEDURE", "TRIGGER", "TYPE", "EXTENSION", "ROLE", "USER", "ON", "INTO", "FROM",
            "TABLES");
    private static final Set<String> SKIPPED_BEFORE_NAME = Set.of("IF", "NOT", "EXISTS", "ONLY", "CONCURRENTLY");

    private VeilParserSupport() {
    }

    /** The upper-cased words up to the end of the statement (EOF or a semicolon, which is left in place). */
    static List<String> rest(VeilSqlParserImpl parser, List<String> words) {
        while (!atEnd(parser)) {
            words.add(word(parser.getNextToken()));
        }
        return words;
    }

    /**
     * The tail of BEGIN / COMMIT / ROLLBACK / SAVEPOINT / RELEASE: only transaction words and a savepoint or
     * prepared-transaction name are accepted, so that MariaDB's {@code BEGIN NOT ATOMIC …} compound statement
     * or anything else unexpected fails the parse instead of passing as transaction control.
     */
    static List<String> transactionTail(VeilSqlParserImpl parser, List<String> words) throws ParseException {
        while (!atEnd(parser)) {
            Token t = parser.getToken(1);
            String w = word(t);
            String previous = words.isEmpty() ? "" : words.get(words.size() - 1);
            boolean name = NAMED_AFTER.contains(previous) && !TRANSACTION_WORDS.contains(w) || isString(t) && previous.equals("PREPARED")
                    || isString(t) && previous.equals("TRANSACTION") && words.get(0).equals("PREPARE");
            if (!TRANSACTION_WORDS.contains(w) && !name) {
                throw new ParseException("unexpected \"" + t.image + "\" in a transaction statement");
            }
            parser.getNextToken();
            words.add(name ? "<name>" : w);
        }
        return words;
    }

    /**
     * Consumes a DDL statement up to its end, or up to {@code AS} followed by a query (CREATE TABLE / VIEW … AS),
     * collecting its words and the objects it names.
     */
    static List<String> ddlWords(VeilSqlParserImpl parser, List<String> words, List<SqlIdentifier> objects) {
        int depth = 0;
        boolean expectName = false;
        while (!atEnd(parser)) {
            Token t = parser.getToken(1);
            String w = word(t);
            if (depth == 0 && w.equals("AS") && startsQuery(parser.getToken(2))) {
                parser.getNextToken();
                words.add("AS");
                return words;
            }
            if (depth == 0 && createsTable(words) && queryWithoutAs(parser)) {
                // MySQL's CREATE TABLE t [(columns)] [IGNORE | REPLACE] SELECT …: the query needs no AS.
                return words;
            }
            parser.getNextToken();
            if (t.kind == VeilSqlParserImplConstants.LPAREN) {
                depth++;
            } else if (t.kind == VeilSqlParserImplConstants.RPAREN) {
                depth--;
            }
            if (expectName && depth == 0 && isName(t) && !SKIPPED_BEFORE_NAME.contains(w)) {
                objects.add(qualifiedName(parser, t));
                expectName = false;
            } else if (depth == 0 && OBJECT_WORDS.contains(w)) {
                expectName = true;
            }
            words.add(w);
        }
        return words;
    }

    /** Whether a SET list item is {@code NAMES charset [COLLATE collation]} (MySQL allows it after other items). */
    static boolean namesItemFollows(VeilSqlParserImpl parser) {
        return word(parser.getToken(1)).equals("NAMES") && parser.getToken(2).kind != VeilSqlParserImplConstants.EQ;
    }

    /** Consumes a {@code NAMES charset [COLLATE collation]} item of a SET list: a session setting, nothing more. */
    static void namesItem(VeilSqlParserImpl parser, List<String> words) {
        words.add(word(parser.getNextToken()));
        while (!atEnd(parser) && parser.getToken(1).kind != VeilSqlParserImplConstants.COMMA) {
            words.add(word(parser.getNextToken()));
        }
    }

    /**
     * MariaDB's {@code ANALYZE DELETE …} / {@code ANALYZE UPDATE …} runs the statement and reports on it, like
     * EXPLAIN ANALYZE: it is not the maintenance ANALYZE of a table, and is left unanalysed (fail closed).
     */
    static void notAnalyzeOfAStatement(List<String> words) throws ParseException {
        if (words.get(0).equals("ANALYZE") && words.size() > 1
                && Set.of("DELETE", "UPDATE", "INSERT", "REPLACE", "SELECT", "WITH", "FORMAT").contains(words.get(1))) {
            throw new ParseException("ANALYZE " + words.get(1) + " runs the statement it analyses");
        }
    }

    /** The kind of a CREATE / ALTER / DROP / GRANT … statement from its leading words. */
    static StatementKind ddlKind(List<String> words) {
        String verb = words.get(0);
        if (verb.equals("GRANT") || verb.equals("REVOKE")) {
            return StatementKind.PRIVILEGE;
        }
        if (words.contains("OWNER") || words.contains("SECURITY") || words.contains("POLICY")) {
            // OWNER TO, ENABLE ROW LEVEL SECURITY, SECURITY DEFINER, row security policies change who may see what.
            return StatementKind.PRIVILEGE;
        }
        // MySQL's CREATE [OR REPLACE] [ALGORITHM = …] [DEFINER = user] [SQL SECURITY …] PROCEDURE …: the object's
        // kind comes after the options, the user name may be several tokens.
        int end = words.subList(1, Math.min(words.size(), 4)).contains("DEFINER") ? 12 : 4;
        for (String w : words.subList(1, Math.min(words.size(), end))) {
            switch (w) {
                case "ROLE", "USER", "GROUP", "SYSTEM", "DEFAULT":
                    return StatementKind.PRIVILEGE;
                case "FUNCTION", "PROCEDURE", "TRIGGER", "EVENT", "RULE", "LANGUAGE", "EXTENSION":
                    return StatementKind.PROCEDURAL;
                default:
                    break;
            }
        }
        return StatementKind.DDL;
    }

    static boolean atEnd(VeilSqlParserImpl parser) {
        int kind = parser.getToken(1).kind;
        return kind == VeilSqlParserImplConstants.EOF || kind == VeilSqlParserImplConstants.SEMICOLON;
    }

    static SqlParserPos pos(Token t) {
        return new SqlParserPos(t.beginLine, t.beginColumn, t.endLine, t.endColumn);
    }

    private static SqlIdentifier qualifiedName(VeilSqlParserImpl parser, Token first) {
        List<String> parts = new ArrayList<>();
        parts.add(unquote(first));
        while (parser.getToken(1).kind == VeilSqlParserImplConstants.DOT && isName(parser.getToken(2))) {
            parser.getNextToken();
            parts.add(unquote(parser.getNextToken()));
        }
        return new SqlIdentifier(parts, pos(first));
    }

    private static boolean createsTable(List<String> words) {
        return words.get(0).equals("CREATE") && words.subList(1, Math.min(words.size(), 4)).contains("TABLE");
    }

    /** SELECT, (SELECT, or WITH name: not a WITH (storage options) nor a column list. */
    private static boolean queryWithoutAs(VeilSqlParserImpl parser) {
        Token t = parser.getToken(1);
        return t.kind == VeilSqlParserImplConstants.SELECT
                || t.kind == VeilSqlParserImplConstants.LPAREN && parser.getToken(2).kind == VeilSqlParserImplConstants.SELECT
                || t.kind == VeilSqlParserImplConstants.WITH && parser.getToken(2).kind != VeilSqlParserImplConstants.LPAREN;
    }

    private static boolean startsQuery(Token t) {
        return t.kind == VeilSqlParserImplConstants.SELECT || t.kind == VeilSqlParserImplConstants.WITH
                || t.kind == VeilSqlParserImplConstants.VALUES || t.kind == VeilSqlParserImplConstants.LPAREN
                || t.kind == VeilSqlParserImplConstants.TABLE;
    }

    private static boolean isString(Token t) {
        return t.kind == VeilSqlParserImplConstants.QUOTED_STRING;
    }

    private static boolean isName(Token t) {
        return t.kind == VeilSqlParserImplConstants.IDENTIFIER || t.kind == VeilSqlParserImplConstants.QUOTED_IDENTIFIER
                || t.kind == VeilSqlParserImplConstants.BACK_QUOTED_IDENTIFIER || isKeyword(t) && !OBJECT_WORDS.contains(word(t));
    }

    private static boolean isKeyword(Token t) {
        return t.image != null && t.image.matches("[A-Za-z_]+") && t.kind != VeilSqlParserImplConstants.IDENTIFIER;
    }

    private static String unquote(Token t) {
        String s = t.image;
        if (t.kind == VeilSqlParserImplConstants.QUOTED_IDENTIFIER) {
            return s.substring(1, s.length() - 1).replace("\"\"", "\"");
        }
        if (t.kind == VeilSqlParserImplConstants.BACK_QUOTED_IDENTIFIER) {
            return s.substring(1, s.length() - 1).replace("``", "`");
        }
        return s.toLowerCase(Locale.ROOT);
    }

    private static String word(Token t) {
        return t.kind == VeilSqlParserImplConstants.COMMA ? "," : t.image.toUpperCase(Locale.ROOT);
    }

    /** The ON DUPLICATE KEY UPDATE clause with {@code alias.c} (MySQL's row alias) read as {@code excluded.c}. */
    static VeilInsert.Conflict rowAliasAsExcluded(VeilInsert.Conflict conflict, String alias) {
        SqlShuttle rename = new SqlShuttle() {
            @Override
            public SqlNode visit(SqlIdentifier id) {
                if (id.names.size() == 2 && id.names.get(0).equalsIgnoreCase(alias)) {
                    return new SqlIdentifier(List.of("excluded", id.names.get(1)), id.getParserPosition());
                }
                return id;
            }
        };
        List<SqlNode> values = new ArrayList<>();
        for (SqlNode v : conflict.values()) {
            values.add(v.accept(rename));
        }
        return new VeilInsert.Conflict(conflict.doNothing(), conflict.targetColumns(),
                new SqlNodeList(values, conflict.values().getParserPosition()),
                conflict.where() == null ? null : conflict.where().accept(rename));
    }
}
