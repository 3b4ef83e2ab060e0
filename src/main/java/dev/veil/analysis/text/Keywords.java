package dev.veil.analysis.text;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which unquoted words a fingerprint may case-fold. PostgreSQL folds every unquoted word itself, so any
 * folding is exact there. MySQL does not fold identifiers (table names are case-sensitive on most file
 * systems), so only words that can never be an unquoted identifier are folded: the reserved words common to
 * MySQL 5.7, 8.x and MariaDB. Words after a '.' are identifiers in both dialects and are never upper-cased.
 */
final class Keywords {
    private Keywords() {
    }

    private static final Set<String> POSTGRES = Set.of(
            "ABORT", "ALL", "ALTER", "ANALYZE", "AND", "ANY", "ARRAY", "AS", "ASC", "ATOMIC", "AUTHORIZATION",
            "BEGIN", "BETWEEN", "BIGINT", "BOOLEAN", "BOTH", "BY", "CALL", "CASCADE", "CASE", "CAST", "CHECK",
            "CLOSE", "COLLATE", "COLUMN", "COMMENT", "COMMIT", "CONFLICT", "CONSTRAINT", "COPY", "CREATE", "CROSS",
            "CURRENT", "CURRENT_DATE", "CURRENT_ROLE", "CURRENT_SCHEMA", "CURRENT_TIME", "CURRENT_TIMESTAMP",
            "CURRENT_USER", "CURSOR", "DATABASE", "DEALLOCATE", "DECLARE", "DEFAULT", "DELETE", "DESC", "DISCARD",
            "DISTINCT", "DO", "DROP", "ELSE", "END", "ESCAPE", "EXCEPT", "EXECUTE", "EXISTS", "EXPLAIN", "EXTRACT",
            "FALSE", "FETCH", "FILTER", "FIRST", "FOR", "FOREIGN", "FROM", "FULL", "FUNCTION", "GRANT", "GROUP",
            "HAVING", "IF", "ILIKE", "IN", "INDEX", "INNER", "INSERT", "INTEGER", "INTERSECT", "INTERVAL", "INTO",
            "IS", "ISNULL", "JOIN", "KEY", "LAST", "LATERAL", "LEADING", "LEFT", "LIKE", "LIMIT", "LISTEN", "LOCAL",
            "LOCALTIME", "LOCALTIMESTAMP", "LOCK", "MATERIALIZED", "MERGE", "NATURAL", "NEXT", "NO", "NOT",
            "NOTHING", "NOTIFY", "NOTNULL", "NULL", "NULLS", "OFFSET", "ON", "ONLY", "OR", "ORDER", "OUTER",
            "OVER", "OVERLAPS", "PARTITION", "PLACING", "PREPARE", "PRIMARY", "PROCEDURE", "RECURSIVE",
            "REFERENCES", "RELEASE", "RESET", "RETURNING", "REVOKE", "RIGHT", "ROLLBACK", "ROW", "ROWS",
            "SAVEPOINT", "SCHEMA", "SELECT", "SESSION", "SESSION_USER", "SET", "SHARE", "SHOW", "SIMILAR", "SOME",
            "START", "SYMMETRIC", "TABLE", "TABLESAMPLE", "THEN", "TIME", "TIMESTAMP", "TO", "TRAILING",
            "TRANSACTION", "TRUE", "TRUNCATE", "UNION", "UNIQUE", "UNLISTEN", "UPDATE", "USER", "USING", "VACUUM",
            "VALUES", "VARIADIC", "VERBOSE", "VIEW", "WHEN", "WHERE", "WINDOW", "WITH", "WITHIN", "WITHOUT",
            "WORK", "ZONE");

    private static final Set<String> MYSQL_RESERVED = Set.of(
            "ACCESSIBLE", "ADD", "ALL", "ALTER", "ANALYZE", "AND", "AS", "ASC", "ASENSITIVE", "BEFORE", "BETWEEN",
            "BIGINT", "BINARY", "BLOB", "BOTH", "BY", "CALL", "CASCADE", "CASE", "CHANGE", "CHAR", "CHARACTER",
            "CHECK", "COLLATE", "COLUMN", "CONDITION", "CONSTRAINT", "CONTINUE", "CONVERT", "CREATE", "CROSS",
            "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "CURRENT_USER", "CURSOR", "DATABASE", "DATABASES",
            "DAY_HOUR", "DAY_MICROSECOND", "DAY_MINUTE", "DAY_SECOND", "DEC", "DECIMAL", "DECLARE", "DEFAULT",
            "DELAYED", "DELETE", "DESC", "DESCRIBE", "DETERMINISTIC", "DISTINCT", "DISTINCTROW", "DIV", "DOUBLE",
            "DROP", "DUAL", "EACH", "ELSE", "ELSEIF", "ENCLOSED", "ESCAPED", "EXISTS", "EXIT", "EXPLAIN", "FALSE",
            "FETCH", "FLOAT", "FOR", "FORCE", "FOREIGN", "FROM", "FULLTEXT", "GRANT", "GROUP", "HAVING",
            "HIGH_PRIORITY", "HOUR_MICROSECOND", "HOUR_MINUTE", "HOUR_SECOND", "IF", "IGNORE", "IN", "INDEX",
            "INFILE", "INNER", "INOUT", "INSENSITIVE", "INSERT", "INT", "INTEGER", "INTERVAL", "INTO", "IS",
            "ITERATE", "JOIN", "KEY", "KEYS", "KILL", "LEADING", "LEAVE", "LEFT", "LIKE", "LIMIT", "LINEAR",
            "LINES", "LOAD", "LOCALTIME", "LOCALTIMESTAMP", "LOCK", "LONG", "LONGBLOB", "LONGTEXT", "LOOP",
            "LOW_PRIORITY", "MATCH", "MAXVALUE", "MEDIUMBLOB", "MEDIUMINT", "MEDIUMTEXT", "MINUTE_MICROSECOND",
            "MINUTE_SECOND", "MOD", "MODIFIES", "NATURAL", "NOT", "NO_WRITE_TO_BINLOG", "NULL", "NUMERIC", "ON",
            "OPTIMIZE", "OPTION", "OPTIONALLY", "OR", "ORDER", "OUT", "OUTER", "OUTFILE", "PARTITION", "PRECISION",
            "PRIMARY", "PROCEDURE", "PURGE", "RANGE", "READ", "READS", "READ_WRITE", "REAL", "REFERENCES", "REGEXP",
            "RELEASE", "RENAME", "REPEAT", "REPLACE", "REQUIRE", "RESIGNAL", "RESTRICT", "RETURN", "REVOKE",
            "RIGHT", "RLIKE", "SCHEMA", "SCHEMAS", "SECOND_MICROSECOND", "SELECT", "SENSITIVE", "SEPARATOR", "SET",
            "SHOW", "SIGNAL", "SMALLINT", "SPATIAL", "SPECIFIC", "SQL", "SQLEXCEPTION", "SQLSTATE", "SQLWARNING",
            "SQL_BIG_RESULT", "SQL_CALC_FOUND_ROWS", "SQL_SMALL_RESULT", "SSL", "STARTING", "STRAIGHT_JOIN",
            "TABLE", "TERMINATED", "THEN", "TINYBLOB", "TINYINT", "TINYTEXT", "TO", "TRAILING", "TRIGGER", "TRUE",
            "UNDO", "UNION", "UNIQUE", "UNLOCK", "UNSIGNED", "UPDATE", "USAGE", "USE", "USING", "UTC_DATE",
            "UTC_TIME", "UTC_TIMESTAMP", "VALUES", "VARBINARY", "VARCHAR", "VARCHARACTER", "VARYING", "WHEN",
            "WHERE", "WHILE", "WITH", "WRITE", "XOR", "YEAR_MONTH", "ZEROFILL");

    /** Words remembered folded, per dialect, and the longest remembered. */
    private static final int FOLDED_WORDS = 20_000;
    private static final int FOLDED_WORD_CHARS = 64;
    private static final Map<String, String> FOLDED_POSTGRES = new ConcurrentHashMap<>();
    private static final Map<String, String> FOLDED_MYSQL = new ConcurrentHashMap<>();

    /**
     * The fingerprint spelling of an unquoted word: keywords upper case; other PostgreSQL words lower case (the
     * server folds them); other MySQL words unchanged.
     */
    static String fold(String word, boolean postgres, boolean afterDot) {
        if (afterDot) {
            return postgres ? asciiLower(word) : word;
        }
        // Applications send the same few words over and over: a folded word is looked up, not upper-cased, probed
        // and lower-cased again (that was half of a fingerprint's time). Bounded: past the bound, words are folded
        // without being remembered.
        Map<String, String> folded = postgres ? FOLDED_POSTGRES : FOLDED_MYSQL;
        String f = folded.get(word);
        if (f == null) {
            f = foldWord(word, postgres);
            if (word.length() <= FOLDED_WORD_CHARS && folded.size() < FOLDED_WORDS) {
                folded.put(word, f);
            }
        }
        return f;
    }

    private static String foldWord(String word, boolean postgres) {
        String upper = word.toUpperCase(Locale.ROOT);
        if (postgres) {
            return POSTGRES.contains(upper) ? upper : asciiLower(word);
        }
        return MYSQL_RESERVED.contains(upper) ? upper : word;
    }

    /** PostgreSQL's downcase_identifier: only ASCII letters fold under UTF-8, so "Äpfel" stays "Äpfel". */
    static String asciiLower(String word) {
        int n = word.length();
        int i = 0;
        while (i < n && (word.charAt(i) < 'A' || word.charAt(i) > 'Z')) {
            i++;
        }
        if (i == n) {
            return word; // most identifiers are lower case already: no copy
        }
        char[] cs = word.toCharArray();
        for (int k = i; k < cs.length; k++) {
            if (cs[k] >= 'A' && cs[k] <= 'Z') {
                cs[k] = (char) (cs[k] + 32);
            }
        }
        return new String(cs);
    }
}
