package dev.veil.analysis;

/** The SQL dialect a statement is written in; decides tokenizer rules, parser settings and catalog shape. */
public enum Dialect {
    POSTGRESQL,
    /** MySQL and MariaDB share one dialect; server differences are handled where they matter. */
    MYSQL
}
