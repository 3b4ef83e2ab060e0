package dev.veil.analysis;

/**
 * What a statement does, as policy sees it. When a statement cannot be analysed its kind is derived
 * conservatively from its tokens, and UNKNOWN is treated as the most dangerous kind.
 */
public enum StatementKind {
    /** SELECT, VALUES, TABLE, SHOW, EXPLAIN without ANALYZE, COPY … TO. */
    READ,
    /** INSERT, UPDATE, DELETE, MERGE, REPLACE, COPY … FROM, LOAD DATA. */
    WRITE,
    /** CREATE / ALTER / DROP / TRUNCATE / RENAME / COMMENT ON. */
    DDL,
    /** GRANT / REVOKE / CREATE ROLE / ALTER USER / SET ROLE. */
    PRIVILEGE,
    /** BEGIN / START TRANSACTION / COMMIT / ROLLBACK / SAVEPOINT / RELEASE / SET TRANSACTION. */
    TRANSACTION_CONTROL,
    /** SET, RESET, SHOW variables, USE, DISCARD, LISTEN/NOTIFY, DEALLOCATE, ANALYZE, VACUUM and the like. */
    SESSION,
    /** DO blocks, CALL, EXECUTE of dynamic SQL, PREPARE with a string, stored-program bodies. */
    PROCEDURAL,
    UNKNOWN
}
