package dev.veil.frontend.pg;

import dev.veil.protocol.pg.PgFrame;
import dev.veil.protocol.pg.ReadyForQuery;

import java.util.ArrayDeque;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What an affected-rows ceiling on the extended protocol needs to know of the batch in progress (the messages up
 * to a Sync): whether the server still owes answers to the client's Parse, Bind, Describe and Close messages
 * (Veil's own messages go in only once it does not, so every answer after them is known to be Veil's or the
 * counted Execute's); the transaction status at this point of the batch (the last ReadyForQuery says it as of the
 * previous Sync; a BEGIN, COMMIT or ROLLBACK executed since changes it, and pgjdbc sends its BEGIN in the same
 * batch as the statement); and whether the transaction is Veil's own (opened by Veil's BEGIN in place of the
 * batch's implicit one, ended by Veil after the batch's Sync).
 */
final class PgBatchState {
    /** ROLLBACK TO SAVEPOINT and the AND CHAIN forms keep the transaction open though their tag says ROLLBACK / COMMIT. */
    private static final Pattern STAYS_OPEN = Pattern.compile("(?s)^\\s*(rollback|abort)\\b.*\\bto\\b.*|.*\\band\\s+chain\\b.*");

    /** Answers owed to the client's P / B / D / C messages, one counter per batch not yet ended by ReadyForQuery. */
    private final ArrayDeque<int[]> batches = new ArrayDeque<>();
    private char status = ReadyForQuery.IDLE;
    private boolean veilsTransaction;

    /** A client message went upstream. */
    void sent(PgFrame frame) {
        switch (frame.typeChar()) {
            case 'P', 'B', 'C' -> current()[0]++;
            case 'D' -> current()[0] += describesStatement(frame) ? 2 : 1; // ParameterDescription, then RowDescription / NoData
            case 'S', 'Q', 'F' -> {
                current();
                batches.add(new int[1]); // what follows belongs to the next batch
            }
            default -> { }
        }
    }

    /** A server frame, not an answer to a Query when {@code extended}: ends one owed answer of the oldest batch. */
    void received(PgFrame frame, boolean extended) {
        switch (frame.typeChar()) {
            case '1', '2', '3', 't', 'n' -> answered();
            case 'T' -> {
                if (extended) {
                    answered();
                }
            }
            case 'E' -> {
                if (extended && !batches.isEmpty()) {
                    batches.peek()[0] = 0; // the server skips the rest of the batch: nothing more is answered
                }
            }
            default -> { }
        }
    }

    /** ReadyForQuery: the oldest batch is over, and the status is the server's. */
    void ready(char serverStatus) {
        batches.poll();
        status = serverStatus;
        if (serverStatus == ReadyForQuery.IDLE) {
            veilsTransaction = false;
        }
    }

    /** A client's Execute completed with {@code tag}: a transaction command changes the status. */
    void executed(String tag, String sql) {
        if (tag.equals("BEGIN") || tag.equals("START TRANSACTION")) {
            status = ReadyForQuery.IN_TRANSACTION;
        } else if ((tag.equals("COMMIT") || tag.equals("ROLLBACK") || tag.equals("PREPARE TRANSACTION"))
                && (sql == null || !STAYS_OPEN.matcher(sql.toLowerCase(Locale.ROOT)).matches())) {
            status = ReadyForQuery.IDLE;
            veilsTransaction = false;
        }
    }

    /** True when the server owes nothing for the client's messages sent so far but Executes and Syncs (tracked by the flow). */
    boolean settled() {
        return batches.size() <= 1 && (batches.isEmpty() || batches.peek()[0] <= 0);
    }

    char status() {
        return status;
    }

    boolean veilsTransaction() {
        return veilsTransaction;
    }

    /** Veil's BEGIN opened the transaction ({@code true}), or Veil's ROLLBACK ended it. */
    void veilsTransaction(boolean open) {
        veilsTransaction = open;
        status = open ? ReadyForQuery.IN_TRANSACTION : ReadyForQuery.IDLE;
    }

    private int[] current() {
        if (batches.isEmpty()) {
            batches.add(new int[1]);
        }
        return batches.peekLast();
    }

    private void answered() {
        if (!batches.isEmpty() && batches.peek()[0] > 0) {
            batches.peek()[0]--;
        }
    }

    private static boolean describesStatement(PgFrame frame) {
        return frame.length() > PgFrame.HEADER && frame.source().getByte(frame.start() + PgFrame.HEADER) == 'S';
    }
}
