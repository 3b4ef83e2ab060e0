package dev.veil.session;

import dev.veil.upstream.PinReason;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Which statement texts change session state, so that transaction pooling must pin the session. */
class SessionPinningTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "SET search_path TO app, public | SET",
            "set work_mem = '64MB' | SET",
            "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE | SET",
            "SET ROLE reporting | SET",
            "SELECT 1; SET statement_timeout = 0 | SET",
            "SELECT set_config('search_path', 'x', false) | SET",
            "SELECT pg_catalog.set_config('app.user', $1, is_local) | SET",
            "RESET ALL | RESET",
            "PREPARE q(int) AS SELECT $1 | PREPARE",
            "LISTEN jobs | LISTEN",
            "LOAD 'auto_explain' | LOAD",
            "SELECT pg_advisory_lock(42) | ADVISORY_LOCK",
            "SELECT pg_try_advisory_lock_shared(1, 2) | ADVISORY_LOCK",
            "CREATE TEMP TABLE t (x int) | TEMP_TABLE",
            "CREATE GLOBAL TEMPORARY TABLE t (x int) | TEMP_TABLE",
            "CREATE OR REPLACE TEMP VIEW v AS SELECT 1 | TEMP_TABLE",
            "CREATE TABLE pg_temp.t (x int) | TEMP_TABLE",
            "SELECT * INTO TEMP t FROM orders | TEMP_TABLE",
            "DECLARE c CURSOR WITH HOLD FOR SELECT 1 | CURSOR_WITH_HOLD",
    })
    void statementsThatChangeSessionStatePin(String sql, PinReason reason) {
        assertThat(SessionPinning.of(sql)).isEqualTo(reason);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT 1",
            "UPDATE accounts SET balance = 0 WHERE id = 1",
            "SET LOCAL work_mem = '1GB'",
            "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ",
            "SELECT set_config('app.user', 'alice', true)",
            "SELECT pg_advisory_xact_lock(42)",
            "CREATE TABLE temp (x int)",
            "DECLARE c CURSOR FOR SELECT 'WITH HOLD'",
            "PREPARE TRANSACTION 'tx1'",
            "SELECT 'SET search_path TO x' -- RESET ALL",
            "/* LISTEN x */ SELECT 'pg_advisory_lock(1)'",
            "SET application_name = 'PostgreSQL JDBC Driver'",
            "SET SESSION TimeZone TO 'UTC'",
            "SET NAMES 'UTF8'",
            "SET TIME ZONE 'Europe/Paris'",
            "SET \"DateStyle\" TO ISO",
    })
    void statementsThatLeaveSessionStateAloneDoNotPin(String sql) {
        assertThat(SessionPinning.of(sql)).isNull();
    }
}
