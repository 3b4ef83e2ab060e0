package dev.veil.classification;

import java.util.Locale;
import java.util.Set;

/**
 * The family of a column type, from the type name either server reports (pg_type names such as int8, varchar,
 * bpchar, inet; MySQL DATA_TYPE such as bigint, varchar, datetime). A name points to a tag only when the type
 * can hold it: {@code email_verified boolean} is not an e-mail address.
 */
public enum TypeFamily {
    TEXT, NUMBER, TEMPORAL, NETWORK, BINARY, BOOLEAN, OTHER;

    private static final Set<String> TEXTS = Set.of("text", "varchar", "char", "bpchar", "character", "character varying",
            "citext", "name", "tinytext", "mediumtext", "longtext", "nvarchar", "nchar", "string", "enum", "set");
    private static final Set<String> NUMBERS = Set.of("int2", "int4", "int8", "smallint", "integer", "int", "bigint",
            "mediumint", "tinyint", "numeric", "decimal", "float4", "float8", "float", "double", "real", "year");
    private static final Set<String> TEMPORALS = Set.of("date", "timestamp", "timestamptz", "datetime", "time", "timetz");
    private static final Set<String> NETWORKS = Set.of("inet", "cidr");
    private static final Set<String> BINARIES = Set.of("bytea", "blob", "tinyblob", "mediumblob", "longblob", "binary",
            "varbinary");
    private static final Set<String> BOOLEANS = Set.of("bool", "boolean", "bit");

    public static TypeFamily of(String type) {
        String t = type == null ? "" : type.toLowerCase(Locale.ROOT).trim();
        int paren = t.indexOf('(');
        if (paren > 0) {
            t = t.substring(0, paren).trim();
        }
        if (TEXTS.contains(t)) {
            return TEXT;
        }
        if (NUMBERS.contains(t)) {
            return NUMBER;
        }
        if (TEMPORALS.contains(t)) {
            return TEMPORAL;
        }
        if (NETWORKS.contains(t)) {
            return NETWORK;
        }
        if (BINARIES.contains(t)) {
            return BINARY;
        }
        if (BOOLEANS.contains(t)) {
            return BOOLEAN;
        }
        return OTHER;
    }

    /** Whether values of this family are worth sampling: a detector can recognise them as text. */
    public boolean sampled() {
        return this == TEXT || this == NUMBER || this == NETWORK;
    }
}
