package dev.veil.upstream;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;

/**
 * The named prepared statements one PostgreSQL server connection holds under transaction pooling, and what
 * becomes of each ParseComplete / CloseComplete the server still owes for the Parse and Close messages sent on
 * it. Clients' statements are prepared under server names Veil derives from their text and parameter types, so
 * a connection prepares each distinct statement once whichever client asked; a Parse Veil injects before a
 * client's Bind or Describe is answered by a ParseComplete the client must not see, and a client's Parse of a
 * statement the connection already has goes out as a Close of a name that does not exist (not an error, and
 * answered in order), whose CloseComplete the client receives as its ParseComplete.
 *
 * <p>The server answers in order, and after an error skips everything up to the next Sync: a Parse or Close
 * still unanswered when an ErrorResponse arrives either failed or was skipped, so its statement was never
 * prepared (or never closed). Each expectation carries the number of ReadyForQuery the connection owed when
 * it was sent, which tells which Sync ends it. Confined to the connection's event loop.
 */
public final class ServerStatements {
    /** What to do with the next ParseComplete or CloseComplete. */
    public enum Answer {
        /** The client's own: relay it. */
        RELAY,
        /** Veil's own Parse: the client must not see it. */
        SWALLOW,
        /** A Close that stood in for a client's Parse: relay it as ParseComplete. */
        AS_PARSE_COMPLETE
    }

    private record Expected(Answer answer, String preparedName, long batch) {
    }

    private final Set<String> prepared = new HashSet<>();
    private final ArrayDeque<Expected> expected = new ArrayDeque<>();
    /** ReadyForQuery owed (Query, Sync, FunctionCall sent) and received since the connection opened. */
    private long readySent;
    private long readyReceived;

    public boolean has(String serverName) {
        return prepared.contains(serverName);
    }

    /** A Parse went out: named ({@code serverName} not null) ones count as prepared from now on. */
    public void parseSent(String serverName, boolean injected) {
        if (serverName != null) {
            prepared.add(serverName);
        }
        expected.add(new Expected(injected ? Answer.SWALLOW : Answer.RELAY, serverName, readySent));
    }

    /** A Close went out; {@code standsForParse}: in place of a client's Parse of a statement already prepared. */
    public void closeSent(boolean standsForParse) {
        expected.add(new Expected(standsForParse ? Answer.AS_PARSE_COMPLETE : Answer.RELAY, null, readySent));
    }

    /** The server dropped every prepared statement (DISCARD ALL, DEALLOCATE ALL). */
    public void forgetAll() {
        prepared.clear();
    }

    public int size() {
        return prepared.size();
    }

    void readyOwed() {
        readySent++;
    }

    boolean expecting() {
        return !expected.isEmpty();
    }

    /** A ParseComplete or CloseComplete arrived while {@link #expecting()}: what becomes of it. */
    Answer answer() {
        return expected.poll().answer();
    }

    /** An ErrorResponse: what the current batch still owed failed or was skipped. */
    void failed() {
        for (Iterator<Expected> it = expected.iterator(); it.hasNext(); ) {
            Expected e = it.next();
            if (e.batch() > readyReceived) {
                break; // sent after the Sync that ends this batch
            }
            if (e.preparedName() != null) {
                prepared.remove(e.preparedName());
            }
            it.remove();
        }
    }

    void readyReceived() {
        readyReceived++;
        // Whatever was owed before this ReadyForQuery and is still expected was skipped.
        while (!expected.isEmpty() && expected.peek().batch() < readyReceived) {
            Expected e = expected.poll();
            if (e.preparedName() != null) {
                prepared.remove(e.preparedName());
            }
        }
    }
}
