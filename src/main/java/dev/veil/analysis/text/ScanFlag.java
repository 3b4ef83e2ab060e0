package dev.veil.analysis.text;

/** Facts a {@link ConservativeScan} found that policy may want to act on even when the kind allows the statement. */
public enum ScanFlag {
    /** The text holds more than one statement. */
    MULTIPLE_STATEMENTS,
    /** Unterminated string/comment/quote or an invalid character: the server may read the text differently. */
    MALFORMED,
    /** A statement end could not be determined the way the server would. */
    UNCERTAIN_BOUNDARY,
    /** A stored-program body (BEGIN … END) is part of the statement. */
    COMPOUND_BODY,
    /** The leading keyword is not one the scan knows. */
    UNRECOGNIZED,
    /** EXECUTE, PREPARE, DO, CALL, EXECUTE IMMEDIATE, or a function that runs query text (dblink, query_to_xml). */
    DYNAMIC_SQL,
    /** MySQL {@code @var}. */
    USER_VARIABLE,
    /** MySQL {@code @@var}, SET of a server variable, PostgreSQL SET/RESET/SHOW, set_config/current_setting. */
    SYSTEM_VARIABLE,
    /** Server-wide setting: MySQL SET GLOBAL/PERSIST, PostgreSQL ALTER SYSTEM. */
    GLOBAL_SETTING,
    /** SELECT … INTO (a new table in PostgreSQL, variables in MySQL). */
    SELECT_INTO,
    INTO_OUTFILE,
    INTO_DUMPFILE,
    /** MySQL LOAD DATA / LOAD XML. */
    LOAD_DATA,
    /** LOAD DATA LOCAL: the server asks the client for a file of its choosing. */
    LOAD_DATA_LOCAL,
    /** Files on the database server: COPY to/from a path, LOAD DATA INFILE, pg_read_file, LOAD_FILE, lo_import… */
    SERVER_FILE_ACCESS,
    /** COPY … PROGRAM, sys_exec: runs a program on the database host. */
    PROGRAM_EXECUTION,
    /** INSERT/UPDATE/DELETE/MERGE inside WITH, a sub-query, COPY ( … ) or EXPLAIN ANALYZE. */
    NESTED_WRITE,
    /** An UPDATE or DELETE without a WHERE at its own level. */
    WRITE_WITHOUT_WHERE,
    /** FOR UPDATE / FOR SHARE / LOCK IN SHARE MODE. */
    LOCKING_READ,
    /** A function in FROM (generate_series, json_table, dblink …): what it reads is not visible. */
    TABLE_FUNCTION,
    /** A function with side effects on the server (file access, backend control, configuration, sequences). */
    DANGEROUS_FUNCTION,
    /** MySQL {@code /*! … *}{@code /}: its code was scanned although the server may skip it. */
    VERSIONED_COMMENT,
    /** EXPLAIN ANALYZE: the explained statement is executed. */
    EXPLAIN_ANALYZE
}
