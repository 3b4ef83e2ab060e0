package dev.veil.upstream;

import java.util.Locale;

/**
 * Why a session under transaction pooling keeps its server connection until it ends: it changed state that
 * lives in the server session, which the next client of that connection must not inherit.
 */
public enum PinReason {
    /** SET (not LOCAL), SET SESSION CHARACTERISTICS, SET ROLE, set_config(..., false). */
    SET,
    /** RESET, RESET ALL. */
    RESET,
    /** A reported parameter changed (ParameterStatus) and stayed changed after the transaction. */
    PARAMETER_CHANGED,
    /** PREPARE (SQL-level prepared statements, named by the client in later EXECUTE / DEALLOCATE). */
    PREPARE,
    LISTEN,
    /** pg_advisory_lock and its session-level relatives (not the _xact_ ones). */
    ADVISORY_LOCK,
    /** CREATE TEMP TABLE / VIEW / SEQUENCE, SELECT … INTO TEMP. */
    TEMP_TABLE,
    /** DECLARE … WITH HOLD: a cursor that outlives its transaction. */
    CURSOR_WITH_HOLD,
    /** LOAD of a shared library. */
    LOAD;

    /** As in metrics and logs: advisory-lock. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
