package dev.veil.rewrite;

import dev.veil.error.VeilException;

import java.util.List;

/**
 * The one place where what a server answers can be changed on its way to the client, the same for both
 * wires: PostgreSQL RowDescription / DataRow / CommandComplete and MySQL column definitions / text and
 * binary rows / OK, EOF or ERR reach it through their dialect's relay, decoded into {@link ResultColumn}s
 * and {@link ResultRow}s. Masking implements it. Called on the connection's event loop, in the order the
 * server sent the messages.
 *
 * <p>{@link #NONE} leaves everything as the server sent it; with it, the relays decode nothing and forward
 * the server's bytes without a copy, so it costs nothing per row.
 *
 * <p>A rewriter may refuse a result it cannot rewrite safely ({@link #refusal()}): the relay then sends none of
 * its rows and puts the refusal where the result's end would have gone (fail closed).
 */
public interface ResultRewriter {
    /** The identity: every row goes out as the server sent it, byte for byte. */
    ResultRewriter NONE = new ResultRewriter() {
        @Override
        public ResultRow row(ResultRow row) {
            return row;
        }

        @Override
        public String toString() {
            return "ResultRewriter.NONE";
        }
    };

    /** A result set begins: its columns, in order. The rows that follow belong to it. */
    default void columns(List<ResultColumn> columns) {
    }

    /**
     * One row; returns the row to send: {@code row} itself to send it exactly as the server did, a row
     * made with {@link ResultRow#with} that the relay encodes in the dialect's row format, or null to send nothing
     * (the result is refused: see {@link #refusal()}).
     */
    ResultRow row(ResultRow row);

    /**
     * The same row as {@link #row}, rewritten where it lies when every change keeps each value's length: the
     * values are {@code message[starts[i], starts[i] + lengths[i])} ({@code starts[i]} -1 for NULL) in a copy of the
     * server's message that the rewriter may change. True: the message now holds the row to send. False: nothing
     * in it was changed, and the relay calls {@link #row} (the default: a rewriter that cannot do this).
     * Masking most text values writes x's over a part of them: in place, a masked row costs one copy of the
     * message and no values sliced, copied and encoded again.
     */
    default boolean rewriteInPlace(byte[] message, int[] starts, int[] lengths) {
        return false;
    }

    /** The result ended: normally, or with an error from the server ({@code error}). */
    default void complete(boolean error) {
    }

    /**
     * Not null when the current result must not reach the client (its rows are dropped): the error the client
     * gets in place of the result's end. Asked after {@link #columns} and before each row.
     */
    default VeilException refusal() {
        return null;
    }
}
