package dev.veil.frontend.mysql;

import dev.veil.frontend.mysql.MySqlCommandAdmission.Local;
import dev.veil.frontend.mysql.MySqlCommandAdmission.Verdict;
import dev.veil.analysis.Dialect;
import dev.veil.policy.Decision;
import dev.veil.policy.PolicyEngine;
import dev.veil.policy.StatementFacts;
import dev.veil.protocol.mysql.Capabilities;
import dev.veil.protocol.mysql.Command;
import dev.veil.protocol.mysql.ResponseTracker.Shape;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * What happens to each client command: forwarded with the shape of its answer, answered by Veil, or refused,
 * either by the front end's admission (protocol level) or by the statement pipeline's built-in rules (what the
 * text of a forwarded statement may do).
 */
class MySqlCommandAdmissionTest {
    // The admission keeps no state and does not use the frontend; a real one needs CDI and a running Vert.x.
    private final MySqlCommandAdmission admission = new MySqlCommandAdmission();
    private final PolicyEngine builtInRules = PolicyEngine.builtIn();

    /** The admission's verdict, then, for a statement it forwards, the built-in rules' (a refusal is thrown). */
    private Verdict admit(int command, String text) {
        Verdict v = admission.admit(Buffer.buffer().appendByte((byte) command).appendString(text, StandardCharsets.UTF_8.name()), 0);
        if (v.forward() && (command == Command.COM_QUERY || command == Command.COM_STMT_PREPARE)) {
            Decision d = builtInRules.decide(new StatementFacts(Dialect.MYSQL, text, command == Command.COM_STMT_PREPARE, null));
            if (d instanceof Decision.Deny deny) {
                assertThat(deny.rule()).startsWith("builtin.mysql-");
                throw deny.error();
            }
        }
        return v;
    }

    private Verdict admit(int... bytes) {
        Buffer b = Buffer.buffer();
        for (int v : bytes) {
            b.appendByte((byte) v);
        }
        return admission.admit(b, 0);
    }

    private Verdict query(String sql) {
        return admit(Command.COM_QUERY, sql);
    }

    private VeilException refusal(Runnable r) {
        VeilException e = catchThrowableOfType(r::run, VeilException.class);
        assertThat(e).as("refused").isNotNull();
        return e;
    }

    private static void assertForwarded(Verdict v, Shape shape) {
        assertThat(v.forward()).isTrue();
        assertThat(v.shape()).isEqualTo(shape);
        assertThat(v.local()).isNull();
    }

    private static void assertKill(Verdict v, long id, boolean connection) {
        assertThat(v.forward()).isFalse();
        assertThat(v.local()).isEqualTo(Local.KILL);
        assertThat(v.killId()).isEqualTo(id);
        assertThat(v.killConnection()).as("KILL CONNECTION").isEqualTo(connection);
    }

    private static void assertUnsupported(VeilException e) {
        assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED);
        assertThat(e.code().mysqlErrno()).isEqualTo(1235);
        assertThat(e.fatal()).isFalse();
    }

    @Nested
    class Kill {
        @Test
        void answersKillOfAnIdAsKillConnection() {
            assertKill(query("KILL 5"), 5, true);
        }

        @Test
        void answersKillQuery() {
            assertKill(query("KILL QUERY 5"), 5, false);
        }

        @Test
        void answersKillConnection() {
            assertKill(query("KILL CONNECTION 5"), 5, true);
        }

        @Test
        void answersMariaDbHardAndSoftKills() {
            assertKill(query("KILL HARD QUERY 5"), 5, false);
            assertKill(query("KILL SOFT CONNECTION 12"), 12, true);
            assertKill(query("KILL HARD 7"), 7, true);
        }

        @Test
        void answersKillWrittenInLowercaseWithExtraWhitespaceAndASemicolon() {
            assertKill(query("kill query 5"), 5, false);
            assertKill(query("  Kill\n\tQuery   4294967296 ;  "), 4294967296L, false);
        }

        @Test
        void answersKillInsideVersionedComments() {
            assertKill(query("/*!50000 KILL */ QUERY 5"), 5, false);
            assertKill(query("/*!50000 KILL QUERY 5 */"), 5, false);
            assertKill(query("/*!KILL 6*/"), 6, true);
            assertKill(query("/*M!100500 KILL QUERY 7 */"), 7, false);
        }

        @Test
        void answersKillAfterLeadingComments() {
            assertKill(query("/* from the admin console */ KILL QUERY 5"), 5, false);
            assertKill(query("# note\nKILL QUERY 5"), 5, false);
            assertKill(query("-- note\nKILL QUERY 5"), 5, false);
            assertKill(query("--\tnote\r\nKILL 5 -- trailing"), 5, true);
        }

        @Test
        void refusesKillInAMultiStatement() {
            for (String sql : new String[]{"SELECT 1; KILL 5", "KILL 5; SELECT 1", "SELECT 1;KILL QUERY 5",
                    "/*!50000 SELECT 1; KILL 5 */", "SELECT 1; /* x */ kill 5;"}) {
                VeilException e = refusal(() -> query(sql));
                assertUnsupported(e);
                assertThat(e.getMessage()).as(sql).contains("KILL inside a multi-statement text goes through Veil only as its first statement",
                        "rule builtin.mysql-kill");
            }
        }

        @Test
        void answersAKillThatBeginsAMultiStatementAndForwardsTheRest() {
            Verdict v = multi("kill query 5; select sleep(0.05)");
            assertKill(v, 5, false);
            assertThat(v.rest()).isEqualTo(" select sleep(0.05)");
            assertThat(v.changesSchema()).isFalse();
            Verdict connection = multi("/* pool */ KILL 7 ;\nSELECT 1; USE other");
            assertKill(connection, 7, true);
            assertThat(connection.rest()).isEqualTo("\nSELECT 1; USE other");
            assertThat(connection.changesSchema()).as("USE in the rest").isTrue();
        }

        @Test
        void theRestOfATextBegunByKillIsDecidedByTheRulesOnItsOwn() {
            Verdict v = multi("KILL QUERY 5; LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE t");
            Decision d = builtInRules.decide(new StatementFacts(Dialect.MYSQL, v.rest(), false, null));
            assertThat(d).isInstanceOfSatisfying(Decision.Deny.class, deny -> assertThat(deny.rule()).isEqualTo("builtin.mysql-local-infile"));
        }

        @Test
        void refusesKillInAMultiStatementThatCannotBeCutAfterIt() {
            for (String sql : new String[]{"SELECT 1; KILL 5", "KILL 5; KILL 6", "KILL 5; SELECT 1; kill query 6",
                    "/*!50000 KILL 5; SELECT 1 */", "KILL 5 + 1; SELECT 1", "KILL USER bob; SELECT 1"}) {
                VeilException e = refusal(() -> multi(sql));
                assertUnsupported(e);
            }
        }

        private Verdict multi(String sql) {
            Verdict v = admission.admit(Buffer.buffer().appendByte((byte) Command.COM_QUERY).appendString(sql),
                    Capabilities.MULTI_STATEMENTS);
            if (v.forward()) {
                Decision d = builtInRules.decide(new StatementFacts(Dialect.MYSQL, sql, false, null));
                if (d instanceof Decision.Deny deny) {
                    throw deny.error();
                }
            }
            return v;
        }

        @Test
        void refusesKillFormsWhoseTargetIsNotAVeilConnectionId() {
            for (String sql : new String[]{"KILL", "KILL QUERY", "KILL USER bob", "KILL QUERY ID 5",
                    "KILL CONNECTION_ID()", "KILL 5 6", "KILL 0x05", "KILL 99999999999999999999999", "KILL @id"}) {
                VeilException e = refusal(() -> query(sql));
                assertThat(e.code()).as(sql).isEqualTo(ErrorCode.UNSUPPORTED);
                assertThat(e.fatal()).as(sql).isFalse();
            }
        }

        @Test
        void refusesKillOfAnExpressionRatherThanKillTheFirstNumberInIt() {
            // The servers read KILL [CONNECTION | QUERY] expr: "KILL 5 + 1" means thread 6, not 5.
            for (String sql : new String[]{"KILL 5 + 1", "KILL QUERY 5 | 2", "KILL 5.5", "KILL 5 * 1"}) {
                VeilException e = refusal(() -> query(sql));
                assertThat(e.code()).as(sql).isEqualTo(ErrorCode.UNSUPPORTED);
            }
        }

        @Test
        void answersComProcessKillAsKillConnection() {
            assertKill(admit(Command.COM_PROCESS_KILL, 0x2A, 0, 0, 0), 42, true);
        }

        @Test
        void endsTheConnectionOnAComProcessKillWithoutId() {
            VeilException e = refusal(() -> admit(Command.COM_PROCESS_KILL, 1, 0));
            assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
            assertThat(e.fatal()).isTrue();
        }
    }

    @Nested
    class StatementsMentioningKill {
        @ParameterizedTest
        @ValueSource(strings = {
                "SELECT 'KILL 5'",
                "SELECT \"kill query 5\"",
                "SELECT `kill` FROM t",
                "SELECT kill_count FROM stats WHERE reason = 'kill'",
                "SELECT 1 /* KILL 5 */",
                "SELECT 1 -- KILL 5",
                "SELECT 1 # ; KILL 5",
                "UPDATE notes SET body = 'x; KILL 5' WHERE id = 1",
                "SELECT 'it''s; KILL 5'",
                "INSERT INTO log(msg) VALUES (\"say \\\"hi\\\"; KILL 5\")",
                "SELECT `weird``name; KILL 5` FROM t",
                "/* KILL 5 */ SELECT 1",
                "SELECT 1--1"})
        void forwardsStatementsThatOnlyMentionKill(String sql) {
            assertForwarded(query(sql), Shape.RESULT);
        }

        @Test
        void forwardsTextWithBackslashesThatHideNothingEitherWay() {
            assertForwarded(query("SELECT 'C:\\temp\\', 'it\\'s'; SELECT 2"), Shape.RESULT);
        }

        @Test
        void forwardsAMultiStatementWithoutKill() {
            assertForwarded(query("SELECT 1; SELECT 'kill'; UPDATE t SET killed = 1"), Shape.RESULT);
        }

        @Test
        void refusesKillHiddenBehindACommentMarkerTheServersDoNotRecognise() {
            // "--" starts a comment only before a space or a control character; U+2028 is neither for the
            // servers (its UTF-8 bytes are not ASCII; it is even an identifier character), so this is
            // SELECT 1 - (-`U+2028`) FROM ...; KILL 5.
            VeilException e = refusal(() -> query("SELECT 1 --\u2028 FROM (SELECT 2 AS `\u2028`) t; KILL 5"));
            assertUnsupported(e);
        }

        @Test
        void refusesKillAfterALineCommentThatACarriageReturnDoesNotEnd() {
            // The servers end "#" and "-- " comments at \n only: the quote after the \r is comment, and
            // KILL 5 is a statement of its own.
            assertUnsupported(refusal(() -> query("SELECT 1 # note\r'\n; KILL 5; -- '")));
            assertUnsupported(refusal(() -> query("SELECT 1 -- note\r'\n; KILL 5; -- '")));
        }

        @Test
        void refusesKillHiddenInAStringOnlyByBackslashEscaping() {
            // Under sql_mode NO_BACKSLASH_ESCAPES (or ANSI_QUOTES for "...") a backslash does not escape the
            // quote: the server sees SELECT 'a\' ; KILL 5 ; -- ...
            assertUnsupported(refusal(() -> query("SELECT 'a\\'; KILL 5; -- '")));
            assertUnsupported(refusal(() -> query("SELECT \"a\\\"; KILL 5; -- \"")));
        }
    }

    @Nested
    class DynamicAndPreparedKill {
        @Test
        void refusesKillHiddenInAStringOnlyUnderAnsiQuotesWithBackslashEscapes() {
            // Under ANSI_QUOTES "a\" is an identifier (no escapes in it), so 'b\'' is a string and KILL 5 runs.
            assertUnsupported(refusal(() -> query("SELECT \"a\\\" 'b\\'' ; KILL 5 ; -- '")));
        }

        @Test
        void refusesSqlPrepareOfKill() {
            assertUnsupported(refusal(() -> query("PREPARE s FROM 'KILL 5'")));
            assertUnsupported(refusal(() -> query("prepare s from \"kill query 5\"")));
        }

        @Test
        void refusesMariaDbExecuteImmediateOfKill() {
            assertUnsupported(refusal(() -> query("EXECUTE IMMEDIATE 'KILL QUERY 5'")));
        }

        @Test
        void forwardsSqlPrepareOfOtherStatements() {
            assertForwarded(query("PREPARE s FROM 'SELECT * FROM customers WHERE id = ?'"), Shape.RESULT);
            assertForwarded(query("EXECUTE IMMEDIATE 'SELECT 1'"), Shape.RESULT);
        }

        @Test
        void refusesComStmtPrepareOfKill() {
            for (String sql : new String[]{"KILL 5", "kill query ?", "/*!50000 KILL */ CONNECTION 5", "PREPARE s FROM 'KILL 5'"}) {
                assertUnsupported(refusal(() -> admit(Command.COM_STMT_PREPARE, sql)));
            }
        }

        @Test
        void forwardsComStmtPrepareAsAPrepareAnswer() {
            assertForwarded(admit(Command.COM_STMT_PREPARE, "SELECT email FROM customers WHERE id = ?"), Shape.PREPARE);
        }
    }

    @Nested
    class LoadDataLocal {
        @ParameterizedTest
        @ValueSource(strings = {
                "LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE t",
                "load data local infile '/etc/passwd' into table t",
                "LOAD DATA LOW_PRIORITY LOCAL INFILE 'x.csv' INTO TABLE t",
                "LOAD DATA CONCURRENT LOCAL INFILE 'x.csv' INTO TABLE t",
                "LOAD XML LOCAL INFILE 'x.xml' INTO TABLE t",
                "LOAD XML LOW_PRIORITY LOCAL INFILE 'x.xml' INTO TABLE t",
                "/*!50000 LOAD DATA LOCAL */ INFILE 'x' INTO TABLE t",
                "LOAD DATA /* quiet */ LOCAL INFILE 'x' INTO TABLE t",
                "SELECT 1; LOAD DATA LOCAL INFILE 'x' INTO TABLE t"})
        void refusesLoadDataLocalWithErrno1148(String sql) {
            VeilException e = refusal(() -> query(sql));
            assertThat(e.code()).isEqualTo(ErrorCode.NOT_ALLOWED);
            assertThat(e.code().mysqlErrno()).isEqualTo(1148);
            assertThat(e.fatal()).isFalse();
            assertThat(e.getMessage()).contains("LOAD DATA LOCAL INFILE");
        }

        @Test
        void refusesPreparingLoadDataLocal() {
            VeilException e = refusal(() -> admit(Command.COM_STMT_PREPARE, "LOAD DATA LOCAL INFILE 'x' INTO TABLE t"));
            assertThat(e.code().mysqlErrno()).isEqualTo(1148);
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "LOAD DATA INFILE '/var/lib/mysql-files/x.csv' INTO TABLE t",
                "LOAD DATA INFILE 'local.csv' INTO TABLE local_copy",
                "LOAD XML INFILE 'x.xml' INTO TABLE t",
                "SELECT 'LOAD DATA LOCAL INFILE'"})
        void forwardsLoadDataFromTheServersOwnFiles(String sql) {
            assertForwarded(query(sql), Shape.RESULT);
        }
    }

    @Nested
    class Commands {
        @Test
        void answersQuitItself() {
            Verdict v = admit(Command.COM_QUIT);
            assertThat(v.forward()).isFalse();
            assertThat(v.local()).isEqualTo(Local.QUIT);
        }

        @Test
        void forwardsQueriesAsResults() {
            assertForwarded(query("SELECT 1"), Shape.RESULT);
            assertForwarded(admit(Command.COM_PROCESS_INFO), Shape.RESULT);
        }

        @Test
        void forwardsAnExecuteWithoutCursorAsAResult() {
            assertForwarded(admit(Command.COM_STMT_EXECUTE, 1, 0, 0, 0, 0x00, 1, 0, 0, 0), Shape.RESULT);
        }

        @Test
        void forwardsAnExecuteAskingForAnyCursorAsResultOrCursor() {
            for (int flags : new int[]{0x01, 0x02, 0x04, 0x05}) {
                assertForwarded(admit(Command.COM_STMT_EXECUTE, 1, 0, 0, 0, flags, 1, 0, 0, 0), Shape.RESULT_OR_CURSOR);
            }
        }

        @Test
        void doesNotTakeOtherExecuteFlagsForACursor() {
            // MySQL 8's PARAMETER_COUNT_AVAILABLE (0x08) and MariaDB's flag 0x80 open no cursor.
            assertForwarded(admit(Command.COM_STMT_EXECUTE, 1, 0, 0, 0, 0x08, 1, 0, 0, 0), Shape.RESULT);
            assertForwarded(admit(Command.COM_STMT_EXECUTE, 1, 0, 0, 0, 0x80, 1, 0, 0, 0), Shape.RESULT);
        }

        @Test
        void forwardsFetchAsRows() {
            assertForwarded(admit(Command.COM_STMT_FETCH, 1, 0, 0, 0, 100, 0, 0, 0), Shape.ROWS);
        }

        @Test
        void forwardsCommandsWithoutAnswerWithoutShape() {
            assertForwarded(admit(Command.COM_STMT_SEND_LONG_DATA, 1, 0, 0, 0, 0, 0, 'x'), null);
            assertForwarded(admit(Command.COM_STMT_CLOSE, 1, 0, 0, 0), null);
        }

        @Test
        void forwardsOnePacketAnswersAsSingle() {
            assertForwarded(admit(Command.COM_STMT_RESET, 1, 0, 0, 0), Shape.SINGLE);
            assertForwarded(admit(Command.COM_PING), Shape.SINGLE);
            assertForwarded(admit(Command.COM_STATISTICS), Shape.SINGLE);
            assertForwarded(admit(Command.COM_SET_OPTION, 0, 0), Shape.SINGLE);
            assertForwarded(admit(Command.COM_RESET_CONNECTION), Shape.SINGLE);
            assertForwarded(admit(Command.COM_REFRESH, 0), Shape.SINGLE);
            assertForwarded(admit(Command.COM_DEBUG), Shape.SINGLE);
            assertForwarded(admit(Command.COM_CREATE_DB, "x"), Shape.SINGLE);
            assertForwarded(admit(Command.COM_DROP_DB, "x"), Shape.SINGLE);
            assertForwarded(admit(Command.COM_INIT_DB, "shop"), Shape.SINGLE);
        }

        @Test
        void forwardsFieldListAsFieldList() {
            assertForwarded(admit(Command.COM_FIELD_LIST, "customers\0"), Shape.FIELD_LIST);
        }

        @Test
        void marksCommandsThatMayChangeTheSchema() {
            assertThat(admit(Command.COM_INIT_DB, "shop").changesSchema()).isTrue();
            assertThat(query("USE shop").changesSchema()).isTrue();
            assertThat(query("SELECT 1; use shop").changesSchema()).isTrue();
            assertThat(query("SELECT user FROM accounts").changesSchema()).isFalse();
            assertThat(query("SELECT 1").changesSchema()).isFalse();
        }

        @Test
        void scansOnlyTextsThatMayHoldAStatementTheFrontEndOwns() {
            assertThat(MySqlCommandAdmission.mayNeedScan(Buffer.buffer().appendByte((byte) Command.COM_QUERY)
                    .appendString("SELECT id, email FROM customers WHERE id = 1"))).isFalse();
            for (String sql : new String[]{"kIlL 5", "/*!LOAD*/", "use x", "PREPARE s FROM 'x'", "SELECT 'é'"}) {
                assertThat(MySqlCommandAdmission.mayNeedScan(Buffer.buffer().appendByte((byte) Command.COM_QUERY)
                        .appendString(sql, StandardCharsets.UTF_8.name()))).as(sql).isTrue();
            }
        }

        @Test
        void refusesInitDbToASchemaOfAnotherUpstream() {
            VeilException e = refusal(() -> admit(Command.COM_INIT_DB, "analytics/shop"));
            assertUnsupported(e);
            assertThat(e.getMessage()).contains("analytics/shop");
        }

        @Test
        void endsTheConnectionOnChangeUser() {
            VeilException e = refusal(() -> admit(Command.COM_CHANGE_USER, "bob\0"));
            assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED);
            assertThat(e.fatal()).isTrue();
            assertThat(e.getMessage()).contains("COM_CHANGE_USER");
        }

        @Test
        void refusesMariaDbBulkExecute() {
            assertUnsupported(refusal(() -> admit(0xFA, 1, 0, 0, 0, 0, 0)));
        }

        @Test
        void refusesUnknownAndReplicationCommandsButKeepsTheConnection() {
            int[] codes = {Command.COM_SLEEP, Command.COM_SHUTDOWN, Command.COM_CONNECT, Command.COM_BINLOG_DUMP,
                    0x13, 0x14, 0x15, 0x1D, 0x1E, 0x20, 0x99, 0xFF};
            for (int code : codes) {
                VeilException e = refusal(() -> admit(code));
                assertUnsupported(e);
                assertThat(e.getMessage()).as("0x%02x", code).contains(Command.name(code));
            }
        }

        @Test
        void endsTheConnectionOnAnEmptyCommand() {
            VeilException e = refusal(() -> admission.admit(Buffer.buffer(), 0));
            assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
            assertThat(e.fatal()).isTrue();
        }
    }
}
