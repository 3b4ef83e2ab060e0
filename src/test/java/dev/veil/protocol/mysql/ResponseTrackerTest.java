package dev.veil.protocol.mysql;

import dev.veil.protocol.mysql.ResponseTracker.Shape;
import io.vertx.core.buffer.Buffer;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.veil.protocol.mysql.Command.COM_FIELD_LIST;
import static dev.veil.protocol.mysql.Command.COM_PING;
import static dev.veil.protocol.mysql.Command.COM_QUERY;
import static dev.veil.protocol.mysql.Command.COM_SET_OPTION;
import static dev.veil.protocol.mysql.Command.COM_STATISTICS;
import static dev.veil.protocol.mysql.Command.COM_STMT_EXECUTE;
import static dev.veil.protocol.mysql.Command.COM_STMT_FETCH;
import static dev.veil.protocol.mysql.Command.COM_STMT_PREPARE;
import static dev.veil.protocol.mysql.ServerStatus.AUTOCOMMIT;
import static dev.veil.protocol.mysql.ServerStatus.CURSOR_EXISTS;
import static dev.veil.protocol.mysql.ServerStatus.IN_TRANS;
import static dev.veil.protocol.mysql.ServerStatus.LAST_ROW_SENT;
import static dev.veil.protocol.mysql.ServerStatus.MORE_RESULTS_EXISTS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Where each server answer ends, for sequences of server packets built by hand after dev.mysql.com
 * "COM_QUERY Response", "Text Resultset", "COM_STMT_PREPARE Response", "Binary Protocol Resultset",
 * "COM_STMT_FETCH Response", "COM_FIELD_LIST Response", with and without CLIENT_DEPRECATE_EOF.
 */
class ResponseTrackerTest {
    private static final boolean EOF_MODE = false;
    private static final boolean DEPRECATE_EOF = true;

    private record Done(int command, boolean error, int status, long rows) {
    }

    private final List<Done> done = new ArrayList<>();

    private ResponseTracker tracker(boolean deprecateEof) {
        return new ResponseTracker(deprecateEof, (command, error, status, rows) -> done.add(new Done(command, error, status, rows)));
    }

    /**
     * Feeds each payload as one physical packet, placed inside a larger buffer so that offsets matter, and
     * checks that the answer is not taken as complete before its last packet.
     */
    private void answer(ResponseTracker t, List<Buffer> packets) {
        int before = done.size();
        for (int i = 0; i < packets.size(); i++) {
            feed(t, packets.get(i));
            if (i < packets.size() - 1) {
                assertThat(done).as("completed early, at packet %d of %d", i + 1, packets.size()).hasSize(before);
            }
        }
        assertThat(done).as("not completed after the last packet").hasSize(before + 1);
    }

    private static void feed(ResponseTracker t, Buffer payload) {
        Buffer framed = Buffer.buffer(new byte[]{0x55, 0x55, 0x55}).appendBuffer(payload).appendByte((byte) 0x55);
        t.onPacket(framed, 3, payload.length());
    }

    private Done last() {
        return done.get(done.size() - 1);
    }

    // ---- server packets, built from the protocol pages ---------------------------------------------------

    static Buffer ok(long affectedRows, int status) {
        return new PayloadWriter().int1(0x00).lenenc(affectedRows).lenenc(0).int2(status).int2(0).payload();
    }

    /** The OK packet with header 0xFE that ends a result set under CLIENT_DEPRECATE_EOF. */
    static Buffer okEof(int status) {
        return new PayloadWriter().int1(0xFE).lenenc(0).lenenc(0).int2(status).int2(0).payload();
    }

    /** The same, carrying info and session-state changes (SESSION_TRACK): longer than an EOF, still a terminator. */
    static Buffer okEofWithSessionState(int status) {
        PayloadWriter state = new PayloadWriter().int1(0x00) // SESSION_TRACK_SYSTEM_VARIABLES
                .lenencBytes(new PayloadWriter().lenencString("autocommit").lenencString("OFF").payload().getBytes());
        return new PayloadWriter().int1(0xFE).lenenc(0).lenenc(0).int2(status | ServerStatus.SESSION_STATE_CHANGED).int2(0)
                .lenencString("").lenencBytes(state.payload().getBytes()).payload();
    }

    static Buffer eof(int status) {
        return new EofPacket(0, status).encode();
    }

    static Buffer err(int code, String message) {
        return new ErrPacket(code, "HY000", message).encode();
    }

    static Buffer columnCount(int n) {
        return new PayloadWriter().lenenc(n).payload();
    }

    /** Protocol::ColumnDefinition41 of a VARCHAR column. */
    static Buffer column(String name) {
        return new PayloadWriter().lenencString("def").lenencString("shop").lenencString("customers")
                .lenencString("customers").lenencString(name).lenencString(name).lenenc(0x0c)
                .int2(45).int4(1020).int1(0xFD).int2(0).int1(0).int2(0).payload();
    }

    static Buffer textRow(String... values) {
        PayloadWriter w = new PayloadWriter();
        for (String v : values) {
            if (v == null) {
                w.int1(0xFB);
            } else {
                w.lenencString(v);
            }
        }
        return w.payload();
    }

    /** Binary protocol row of one BIGINT column: header 0x00, NULL bitmap (offset 2), 8-byte value. */
    static Buffer binaryRow(long value) {
        return new PayloadWriter().int1(0x00).int1(0x00).int8(value).payload();
    }

    /** COM_STMT_PREPARE_OK: status 0x00, statement id, columns, params, filler, warnings. */
    static Buffer prepareOk(int statementId, int columns, int params) {
        return new PayloadWriter().int1(0x00).int4(statementId).int2(columns).int2(params).int1(0).int2(0).payload();
    }

    static Buffer localInfileRequest(String file) {
        return new PayloadWriter().int1(0xFB).string(file).payload();
    }

    static List<Buffer> packets(Buffer... p) {
        return Arrays.asList(p);
    }

    static List<Buffer> concat(List<Buffer> a, List<Buffer> b) {
        List<Buffer> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    // ---- the tests -----------------------------------------------------------------------------------------

    @Nested
    class OkAndErr {
        @Test
        void endsAtAnOkAndCountsItsAffectedRows() {
            ResponseTracker t = tracker(EOF_MODE);
            t.expect(COM_QUERY, Shape.RESULT);
            assertThat(t.pending()).isEqualTo(1);
            answer(t, packets(ok(3, AUTOCOMMIT)));
            assertThat(last()).isEqualTo(new Done(COM_QUERY, false, AUTOCOMMIT, 3));
            assertThat(t.pending()).isZero();
        }

        @Test
        void endsAtAnErrAsAnError() {
            ResponseTracker t = tracker(DEPRECATE_EOF);
            t.expect(COM_QUERY, Shape.RESULT);
            answer(t, packets(err(1146, "Table 'shop.nope' doesn't exist")));
            assertThat(last().error()).isTrue();
            assertThat(last().command()).isEqualTo(COM_QUERY);
            assertThat(t.pending()).isZero();
        }

        @Test
        void followsTheTransactionFlagThroughOkPackets() {
            ResponseTracker t = tracker(EOF_MODE);
            assertThat(t.statusFlags() & IN_TRANS).isZero();
            t.expect(COM_QUERY, Shape.RESULT);
            answer(t, packets(ok(0, AUTOCOMMIT | IN_TRANS)));
            assertThat(t.statusFlags() & IN_TRANS).as("after BEGIN").isNotZero();
            t.expect(COM_QUERY, Shape.RESULT);
            answer(t, packets(err(1062, "Duplicate entry")));
            assertThat(t.statusFlags() & IN_TRANS).as("an error leaves the transaction open").isNotZero();
            t.expect(COM_QUERY, Shape.RESULT);
            answer(t, packets(ok(0, AUTOCOMMIT)));
            assertThat(t.statusFlags() & IN_TRANS).as("after COMMIT").isZero();
        }
    }

    @Nested
    class TextResultSets {
        private List<Buffer> resultSet(boolean deprecateEof, int endStatus) {
            List<Buffer> p = new ArrayList<>(packets(columnCount(2), column("id"), column("email")));
            if (!deprecateEof) {
                p.add(eof(AUTOCOMMIT));
            }
            p.addAll(packets(textRow("1", "a@example.com"), textRow("2", null), textRow("3", "")));
            p.add(deprecateEof ? okEof(endStatus) : eof(endStatus));
            return p;
        }

        @Test
        void endsAtTheSecondEofWithoutDeprecateEof() {
            ResponseTracker t = tracker(EOF_MODE);
            t.expect(COM_QUERY, Shape.RESULT);
            answer(t, resultSet(EOF_MODE, AUTOCOMMIT | IN_TRANS));
            assertThat(last()).isEqualTo(new Done(COM_QUERY, false, AUTOCOMMIT | IN_TRANS, 3));
            assertThat(t.statusFlags() & IN_TRANS).isNotZero();
        }

        @Test
        void endsAtTheOkWithHeaderFeUnderDeprecateEof() {
            ResponseTracker t = tracker(DEPRECATE_EOF);
            t.expect(COM_QUERY, Shape.RESULT);
            answer(t, resultSet(DEPRECATE_EOF, AUTOCOMMIT));
            assertThat(last()).isEqualTo(new Done(COM_QUERY, false, AUTOCOMMIT, 3));
        }

        @Test
        void takesALongOkWithSessionStateForTheTerminatorUnderDeprecateEof() {
            ResponseTracker t = tracker(DEPRECATE_EOF);
            t.expect(COM_QUERY, Shape.RESULT);
            Buffer end = okEofWithSessionState(AUTOCOMMIT | IN_TRANS);
            assertThat(end.length()).as("longer than an EOF packet").isGreaterThanOrEqualTo(9);
            answer(t, packets(columnCount(1), column("id"), textRow("1"), end));
            assertThat(last().rows()).isEqualTo(1);
            assertThat(last().status() & IN_TRANS).isNotZero();
        }

        @Test
        void endsAnEmptyResultSet() {
            ResponseTracker t = tracker(EOF_MODE);
            t.expect(COM_QUERY, Shape.RESULT);
            answer(t, packets(columnCount(1), column("id"), eof(AUTOCOMMIT), eof(AUTOCOMMIT)));
            assertThat(last().rows()).isZero();
        }

        @Test
        void endsAsAnErrorWhenTheServerFailsInTheMiddleOfTheRows() {
            ResponseTracker t = tracker(EOF_MODE);
            t.expect(COM_QUERY, Shape.RESULT);
            answer(t, packets(columnCount(1), column("id"), eof(AUTOCOMMIT), textRow("1"), err(1317, "Query execution was interrupted")));
            assertThat(last().error()).isTrue();
            t.expect(COM_PING, Shape.SINGLE);
            answer(t, packets(ok(0, AUTOCOMMIT)));
            assertThat(last().command()).isEqualTo(COM_PING);
        }

        @Test
        void followsMultipleResultSetsToTheLastOneWithoutDeprecateEof() {
            ResponseTracker t = tracker(EOF_MODE);
            t.expect(COM_QUERY, Shape.RESULT);
            List<Buffer> first = packets(columnCount(1), column("a"), eof(AUTOCOMMIT), textRow("1"), eof(AUTOCOMMIT | MORE_RESULTS_EXISTS));
            List<Buffer> second = packets(columnCount(1), column("b"), eof(AUTOCOMMIT), textRow("2"), textRow("3"), eof(AUTOCOMMIT));
            answer(t, concat(first, second));
            assertThat(last()).isEqualTo(new Done(COM_QUERY, false, AUTOCOMMIT, 3));
        }

        @Test
        void followsMultipleResultSetsToTheLastOneUnderDeprecateEof() {
            ResponseTracker t = tracker(DEPRECATE_EOF);
            t.expect(COM_QUERY, Shape.RESULT);
            List<Buffer> first = packets(columnCount(1), column("a"), textRow("1"), okEof(AUTOCOMMIT | MORE_RESULTS_EXISTS));
            List<Buffer> second = packets(columnCount(1), column("b"), textRow("2"), okEof(AUTOCOMMIT));
            answer(t, concat(first, second));
            assertThat(last().rows()).isEqualTo(2);
        }

        @Test
        void followsResultSetsAndOksOfAMultiStatementOrProcedureCall() {
            // "UPDATE ...; SELECT ...": an OK that says more results exist, then a result set; a CALL ends
            // with a plain OK after its result sets. Rows counted are rows returned plus rows affected.
            ResponseTracker t = tracker(EOF_MODE);
            t.expect(COM_QUERY, Shape.RESULT);
            answer(t, packets(ok(2, AUTOCOMMIT | MORE_RESULTS_EXISTS),
                    columnCount(1), column("a"), eof(AUTOCOMMIT), textRow("1"), eof(AUTOCOMMIT | MORE_RESULTS_EXISTS),
                    ok(0, AUTOCOMMIT)));
            assertThat(last()).isEqualTo(new Done(COM_QUERY, false, AUTOCOMMIT, 3));
        }

        @Test
        void stopsAtAnErrorInALaterStatementOfAMultiStatement() {
            ResponseTracker t = tracker(DEPRECATE_EOF);
            t.expect(COM_QUERY, Shape.RESULT);
            answer(t, packets(columnCount(1), column("a"), textRow("1"), okEof(AUTOCOMMIT | MORE_RESULTS_EXISTS),
                    err(1064, "You have an error in your SQL syntax")));
            assertThat(last().error()).isTrue();
            assertThat(t.pending()).isZero();
        }

        @Test
        void refusesALocalInfileRequest() {
            ResponseTracker t = tracker(EOF_MODE);
            t.expect(COM_QUERY, Shape.RESULT);
            assertThatThrownBy(() -> feed(t, localInfileRequest("/etc/passwd")))
                    .isInstanceOf(MalformedPacketException.class).hasMessageContaining("LOCAL INFILE");
            assertThat(done).isEmpty();
        }
    }

    @Nested
    class SixteenMegabyteRows {
        private static final int MAX = Packets.MAX_PAYLOAD;

        /** A text row whose only value is a string of {@code length} bytes, all {@code fill}. */
        private Buffer bigRow(int length, byte fill) {
            byte[] value = new byte[length];
            Arrays.fill(value, fill);
            return new PayloadWriter(length + 9).lenencBytes(value).payload();
        }

        /** Frames the payloads as the server would and feeds the tracker physical packet by physical packet. */
        private int relay(ResponseTracker t, List<Buffer> payloads) {
            int[] physical = {0};
            PacketDecoder decoder = new PacketDecoder();
            for (Buffer p : payloads) {
                decoder.feed(Packets.frame(0, p), (seq, buf, off, len) -> {
                    physical[0]++;
                    t.onPacket(buf, off, len);
                });
            }
            return physical[0];
        }

        /** Column count, definition, [EOF], the given rows, a small row, the terminator: rows = given + 1. */
        private List<Buffer> answerWith(boolean mode, Buffer... rows) {
            List<Buffer> answer = new ArrayList<>(packets(columnCount(1), column("doc")));
            if (mode == EOF_MODE) {
                answer.add(eof(AUTOCOMMIT));
            }
            answer.addAll(Arrays.asList(rows));
            answer.add(textRow("small"));
            answer.add(mode == EOF_MODE ? eof(AUTOCOMMIT) : okEof(AUTOCOMMIT));
            return answer;
        }

        @Test
        void doesNotTakeARowStartingFeForATerminator() {
            // A value of 2^24 bytes or more is length-encoded with 0xFE + 8 bytes, so its row starts 0xFE like an
            // EOF (or, under DEPRECATE_EOF, like the OK that ends the rows); its first packet is a full one.
            Buffer row = bigRow(1 << 24, (byte) 0xFE);
            assertThat((int) row.getUnsignedByte(0)).isEqualTo(0xFE);
            assertThat(row.length()).isEqualTo(MAX + 10);
            for (boolean mode : new boolean[]{EOF_MODE, DEPRECATE_EOF}) {
                done.clear();
                ResponseTracker t = tracker(mode);
                t.expect(COM_QUERY, Shape.RESULT);
                List<Buffer> answer = answerWith(mode, row);
                assertThat(relay(t, answer)).as("physical packets").isEqualTo(answer.size() + 1);
                assertThat(done).as("deprecateEof=%s", mode).containsExactly(new Done(COM_QUERY, false, AUTOCOMMIT, 2));
            }
        }

        @Test
        void doesNotInterpretAContinuationPacketThatLooksLikeAnEof() {
            // Row: a 0xFFFFFF - 1 byte value of 0xFE bytes (0xFD + 3-byte length), then the value "x". The
            // physical packet after the full one holds the last 5 bytes: fe fe fe 01 78, an EOF look-alike.
            byte[] first = new byte[MAX - 1];
            Arrays.fill(first, (byte) 0xFE);
            Buffer row = new PayloadWriter(MAX + 5).lenencBytes(first).lenencString("x").payload();
            assertThat(row.length()).isEqualTo(MAX + 5);
            assertThat(row.getBytes(MAX, MAX + 5)).containsExactly(0xFE, 0xFE, 0xFE, 0x01, 0x78);
            for (boolean mode : new boolean[]{EOF_MODE, DEPRECATE_EOF}) {
                done.clear();
                ResponseTracker t = tracker(mode);
                t.expect(COM_QUERY, Shape.RESULT);
                relay(t, answerWith(mode, row));
                assertThat(done).as("deprecateEof=%s", mode).containsExactly(new Done(COM_QUERY, false, AUTOCOMMIT, 2));
            }
        }

        @Test
        void doesNotCountTheEmptyPacketAfterARowOfExactly16Mb() {
            Buffer row = bigRow(MAX - 4, (byte) 'x'); // 0xFD + 3-byte length + value = 0xFFFFFF bytes
            assertThat(row.length()).isEqualTo(MAX);
            ResponseTracker t = tracker(DEPRECATE_EOF);
            t.expect(COM_QUERY, Shape.RESULT);
            int physical = relay(t, packets(columnCount(1), column("doc"), row, okEof(AUTOCOMMIT)));
            assertThat(physical).isEqualTo(5);
            assertThat(done).containsExactly(new Done(COM_QUERY, false, AUTOCOMMIT, 1));
        }
    }

    @Nested
    class PreparedStatements {
        @Test
        void endsAPrepareResponseAfterParamsAndColumnsEachFollowedByEof() {
            ResponseTracker t = tracker(EOF_MODE);
            t.expect(COM_STMT_PREPARE, Shape.PREPARE);
            answer(t, packets(prepareOk(1, 3, 2), column("?"), column("?"), eof(AUTOCOMMIT),
                    column("id"), column("email"), column("name"), eof(AUTOCOMMIT)));
            assertThat(last()).isEqualTo(new Done(COM_STMT_PREPARE, false, AUTOCOMMIT, 0));
        }

        @Test
        void endsAPrepareResponseAfterTheLastColumnUnderDeprecateEof() {
            ResponseTracker t = tracker(DEPRECATE_EOF);
            t.expect(COM_STMT_PREPARE, Shape.PREPARE);
            answer(t, packets(prepareOk(1, 3, 2), column("?"), column("?"), column("id"), column("email"), column("name")));
        }

        @Test
        void endsAPrepareResponseWithOnlyParamsOrOnlyColumns() {
            for (boolean mode : new boolean[]{EOF_MODE, DEPRECATE_EOF}) {
                ResponseTracker t = tracker(mode);
                t.expect(COM_STMT_PREPARE, Shape.PREPARE);
                answer(t, mode == EOF_MODE ? packets(prepareOk(1, 0, 2), column("?"), column("?"), eof(AUTOCOMMIT))
                        : packets(prepareOk(1, 0, 2), column("?"), column("?")));
                t.expect(COM_STMT_PREPARE, Shape.PREPARE);
                answer(t, mode == EOF_MODE ? packets(prepareOk(2, 1, 0), column("id"), eof(AUTOCOMMIT))
                        : packets(prepareOk(2, 1, 0), column("id")));
            }
        }

        @Test
        void endsAPrepareResponseWithNeitherParamsNorColumnsAtOnce() {
            ResponseTracker t = tracker(EOF_MODE);
            t.expect(COM_STMT_PREPARE, Shape.PREPARE);
            answer(t, packets(prepareOk(7, 0, 0)));
        }

        @Test
        void endsAFailedPrepareAtItsErr() {
            ResponseTracker t = tracker(EOF_MODE);
            t.expect(COM_STMT_PREPARE, Shape.PREPARE);
            answer(t, packets(err(1064, "syntax error")));
            assertThat(last().error()).isTrue();
        }

        @Test
        void endsABinaryResultSetAndCountsItsRows() {
            ResponseTracker t = tracker(EOF_MODE);
            t.expect(COM_STMT_EXECUTE, Shape.RESULT);
            answer(t, packets(columnCount(1), column("id"), eof(AUTOCOMMIT), binaryRow(1), binaryRow(2), eof(AUTOCOMMIT)));
            assertThat(last()).isEqualTo(new Done(COM_STMT_EXECUTE, false, AUTOCOMMIT, 2));
            t.expect(COM_STMT_EXECUTE, Shape.RESULT);
            answer(t, packets(ok(1, AUTOCOMMIT)));
        }

        @Test
        void endsABinaryResultSetUnderDeprecateEof() {
            ResponseTracker t = tracker(DEPRECATE_EOF);
            t.expect(COM_STMT_EXECUTE, Shape.RESULT);
            answer(t, packets(columnCount(1), column("id"), binaryRow(1), binaryRow(2), binaryRow(3), okEof(AUTOCOMMIT)));
            assertThat(last().rows()).isEqualTo(3);
        }

        @Test
        void endsAnExecuteThatOpenedACursorAfterTheColumnsThenFetchesRowsInBatches() {
            ResponseTracker t = tracker(EOF_MODE);
            t.expect(COM_STMT_EXECUTE, Shape.RESULT_OR_CURSOR);
            answer(t, packets(columnCount(2), column("id"), column("email"), eof(AUTOCOMMIT | CURSOR_EXISTS)));
            assertThat(last()).isEqualTo(new Done(COM_STMT_EXECUTE, false, AUTOCOMMIT | CURSOR_EXISTS, 0));
            t.expect(COM_STMT_FETCH, Shape.ROWS);
            answer(t, packets(binaryRow(1), binaryRow(2), eof(AUTOCOMMIT | CURSOR_EXISTS)));
            assertThat(last()).isEqualTo(new Done(COM_STMT_FETCH, false, AUTOCOMMIT | CURSOR_EXISTS, 2));
            t.expect(COM_STMT_FETCH, Shape.ROWS);
            answer(t, packets(binaryRow(3), eof(AUTOCOMMIT | CURSOR_EXISTS | LAST_ROW_SENT)));
            assertThat(last().rows()).isEqualTo(1);
            assertThat(t.pending()).isZero();
        }

        @Test
        void endsAnExecuteThatOpenedACursorUnderDeprecateEof() {
            ResponseTracker t = tracker(DEPRECATE_EOF);
            t.expect(COM_STMT_EXECUTE, Shape.RESULT_OR_CURSOR);
            answer(t, packets(columnCount(1), column("id"), okEof(AUTOCOMMIT | CURSOR_EXISTS)));
            t.expect(COM_STMT_FETCH, Shape.ROWS);
            answer(t, packets(binaryRow(1), binaryRow(2), okEof(AUTOCOMMIT | CURSOR_EXISTS | LAST_ROW_SENT)));
            assertThat(last()).isEqualTo(new Done(COM_STMT_FETCH, false, AUTOCOMMIT | CURSOR_EXISTS | LAST_ROW_SENT, 2));
        }

        @Test
        void readsTheRowsWhenTheServerOpenedNoCursorDespiteTheRequest() {
            ResponseTracker t = tracker(EOF_MODE);
            t.expect(COM_STMT_EXECUTE, Shape.RESULT_OR_CURSOR);
            answer(t, packets(columnCount(1), column("id"), eof(AUTOCOMMIT), binaryRow(1), eof(AUTOCOMMIT)));
            assertThat(last().rows()).isEqualTo(1);
        }

        @Test
        void endsAFetchOnAnUnknownStatementAtItsErr() {
            ResponseTracker t = tracker(EOF_MODE);
            t.expect(COM_STMT_FETCH, Shape.ROWS);
            answer(t, packets(err(1243, "Unknown prepared statement handler")));
            assertThat(last().error()).isTrue();
        }

        @Test
        void followsPipelinedPrepareAndExecuteInOrder() {
            // MariaDB Connector/J sends COM_STMT_PREPARE and COM_STMT_EXECUTE (statement id -1) back to back.
            ResponseTracker t = tracker(DEPRECATE_EOF);
            t.expect(COM_STMT_PREPARE, Shape.PREPARE);
            t.expect(COM_STMT_EXECUTE, Shape.RESULT);
            assertThat(t.pending()).isEqualTo(2);
            feed(t, prepareOk(1, 1, 1));
            feed(t, column("?"));
            feed(t, column("id"));
            assertThat(done).containsExactly(new Done(COM_STMT_PREPARE, false, AUTOCOMMIT, 0));
            assertThat(t.pending()).isEqualTo(1);
            answer(t, packets(columnCount(1), column("id"), binaryRow(42), okEof(AUTOCOMMIT)));
            assertThat(last()).isEqualTo(new Done(COM_STMT_EXECUTE, false, AUTOCOMMIT, 1));
            assertThat(t.pending()).isZero();
        }

        @Test
        void followsAPipelinedExecuteAfterAFailedPrepare() {
            ResponseTracker t = tracker(EOF_MODE);
            t.expect(COM_STMT_PREPARE, Shape.PREPARE);
            t.expect(COM_STMT_EXECUTE, Shape.RESULT);
            feed(t, err(1064, "syntax error"));
            feed(t, err(1243, "Unknown prepared statement handler (4294967295) given to mysqld_stmt_execute"));
            assertThat(done).extracting(Done::command, Done::error)
                    .containsExactly(Tuple.tuple(COM_STMT_PREPARE, true),
                            Tuple.tuple(COM_STMT_EXECUTE, true));
        }
    }

    @Nested
    class OtherCommands {
        @Test
        void endsAFieldListAtItsEof() {
            ResponseTracker t = tracker(EOF_MODE);
            t.expect(COM_FIELD_LIST, Shape.FIELD_LIST);
            answer(t, packets(column("id"), column("email"), column("name"), eof(AUTOCOMMIT)));
            assertThat(last().command()).isEqualTo(COM_FIELD_LIST);
            assertThat(last().error()).isFalse();
        }

        @Test
        void endsAFieldListAtItsOkUnderDeprecateEof() {
            ResponseTracker t = tracker(DEPRECATE_EOF);
            t.expect(COM_FIELD_LIST, Shape.FIELD_LIST);
            answer(t, packets(column("id"), column("email"), okEof(AUTOCOMMIT)));
        }

        @Test
        void endsAFieldListOnAMissingTableAtItsErr() {
            ResponseTracker t = tracker(EOF_MODE);
            t.expect(COM_FIELD_LIST, Shape.FIELD_LIST);
            answer(t, packets(err(1146, "Table 'shop.nope' doesn't exist")));
            assertThat(last().error()).isTrue();
        }

        @Test
        void endsSinglePacketAnswersWhateverTheyAre() {
            ResponseTracker t = tracker(EOF_MODE);
            t.expect(COM_PING, Shape.SINGLE);
            t.expect(COM_STATISTICS, Shape.SINGLE);
            t.expect(COM_SET_OPTION, Shape.SINGLE);
            feed(t, ok(0, AUTOCOMMIT | IN_TRANS));
            feed(t, Buffer.buffer("Uptime: 5  Threads: 1  Questions: 2  Slow queries: 0", StandardCharsets.US_ASCII.name()));
            assertThat(t.statusFlags() & IN_TRANS).as("a statistics string carries no status").isNotZero();
            feed(t, eof(AUTOCOMMIT));
            assertThat(done).extracting(Done::command).containsExactly(COM_PING, COM_STATISTICS, COM_SET_OPTION);
            assertThat(t.statusFlags()).isEqualTo(AUTOCOMMIT);
        }
    }

    @Nested
    class ProtocolViolations {
        @Test
        void refusesAPacketWhenNoCommandIsPending() {
            ResponseTracker t = tracker(EOF_MODE);
            assertThatThrownBy(() -> feed(t, ok(0, AUTOCOMMIT))).isInstanceOf(MalformedPacketException.class)
                    .hasMessageContaining("no command was pending");
        }

        @Test
        void reportsTheServersMessageWhenAnUnsolicitedPacketIsAnError() {
            ResponseTracker t = tracker(EOF_MODE);
            t.expect(COM_PING, Shape.SINGLE);
            feed(t, ok(0, AUTOCOMMIT));
            assertThatThrownBy(() -> feed(t, err(4031, "The client was disconnected by the server because of inactivity")))
                    .isInstanceOf(MalformedPacketException.class).hasMessageContaining("because of inactivity");
        }

        @Test
        void refusesAnEmptyPacketWhereAResultMustStart() {
            ResponseTracker t = tracker(EOF_MODE);
            t.expect(COM_QUERY, Shape.RESULT);
            assertThatThrownBy(() -> feed(t, Buffer.buffer())).isInstanceOf(MalformedPacketException.class);
        }
    }

    /** What the relay is told each packet is: O(ther), C(olumn), R(ow), E(nd). */
    @Nested
    class WhatEachPacketIs {
        private String parts(ResponseTracker t, List<Buffer> payloads) {
            StringBuilder out = new StringBuilder();
            for (Buffer p : payloads) {
                Buffer framed = Buffer.buffer(new byte[]{0x55, 0x55, 0x55}).appendBuffer(p);
                out.append(t.onPacket(framed, 3, p.length()).name().charAt(0));
            }
            return out.toString();
        }

        @Test
        void aTextResultSetIsColumnsRowsAndAnEndInBothEofModes() {
            ResponseTracker eofMode = tracker(EOF_MODE);
            eofMode.expect(COM_QUERY, Shape.RESULT);
            assertThat(parts(eofMode, packets(columnCount(2), column("id"), column("email"), eof(AUTOCOMMIT),
                    textRow("1", "a"), textRow("2", null), eof(AUTOCOMMIT)))).isEqualTo("OCCORRE");
            ResponseTracker deprecated = tracker(DEPRECATE_EOF);
            deprecated.expect(COM_QUERY, Shape.RESULT);
            assertThat(parts(deprecated, packets(columnCount(1), column("id"), textRow("1"), okEof(AUTOCOMMIT))))
                    .isEqualTo("OCRE");
        }

        @Test
        void eachResultOfAMultiResultAnswerEnds() {
            ResponseTracker t = tracker(DEPRECATE_EOF);
            t.expect(COM_QUERY, Shape.RESULT);
            assertThat(parts(t, packets(ok(1, AUTOCOMMIT | MORE_RESULTS_EXISTS), columnCount(1), column("id"), textRow("1"),
                    okEof(AUTOCOMMIT | MORE_RESULTS_EXISTS), err(1146, "Table 'shop.nope' doesn't exist")))).isEqualTo("EOCREE");
        }

        @Test
        void answersWithoutAResultSetAreOtherUnlessTheyAreErrors() {
            ResponseTracker t = tracker(EOF_MODE);
            t.expect(COM_STMT_PREPARE, Shape.PREPARE);
            t.expect(COM_PING, Shape.SINGLE);
            t.expect(COM_FIELD_LIST, Shape.FIELD_LIST);
            t.expect(COM_PING, Shape.SINGLE);
            assertThat(parts(t, packets(prepareOk(1, 1, 1), column("?"), eof(AUTOCOMMIT), column("id"), eof(AUTOCOMMIT),
                    ok(0, AUTOCOMMIT), column("id"), eof(AUTOCOMMIT), err(1053, "Server shutdown in progress"))))
                    .isEqualTo("OOOOOOOOE");
        }

        @Test
        void rowsAreBinaryWhileAnExecuteOrAFetchIsAnswered() {
            ResponseTracker t = tracker(DEPRECATE_EOF);
            t.expect(COM_STMT_EXECUTE, Shape.RESULT);
            t.expect(COM_QUERY, Shape.RESULT);
            assertThat(t.binaryRows()).isTrue();
            assertThat(parts(t, packets(columnCount(1), column("id"), binaryRow(7), okEof(AUTOCOMMIT)))).isEqualTo("OCRE");
            assertThat(t.binaryRows()).as("now answering COM_QUERY").isFalse();
            t.expect(COM_STMT_FETCH, Shape.ROWS);
            assertThat(parts(t, packets(ok(0, AUTOCOMMIT), binaryRow(8), okEof(AUTOCOMMIT | LAST_ROW_SENT)))).isEqualTo("ERE");
        }
    }
}
