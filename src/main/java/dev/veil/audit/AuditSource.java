package dev.veil.audit;

import java.io.IOException;
import java.time.Instant;

/**
 * Where audit records are read from: a directory of audit files ({@link DirectoryAuditSource}) or one stream
 * of the control-plane table ({@link PostgresAuditSource}). A source hands over the exact stored line text in
 * chain order; parsing, filtering and verification happen above it, the same for every source.
 */
public interface AuditSource extends AutoCloseable {
    /** What is read, for messages: a directory, or a table and stream. */
    String name();

    /**
     * Calls {@code out} with each stored line in the query's order (chain order, or newest first) until it
     * returns false. Its filters are a hint: a source may skip lines that cannot match them (files started
     * after its end, rows outside its time or seq range), but callers still filter every line they get.
     * {@link AuditQuery#all()} reads everything, in chain order.
     *
     * @return the number of segments read (files; 1 for a table stream)
     */
    long read(AuditQuery hint, Reader out) throws IOException;

    @Override
    default void close() throws IOException {
    }

    interface Reader {
        boolean accept(Entry entry) throws IOException;
    }

    /**
     * One stored line. {@code segment} and {@code position} say where it is (file name and line number, or
     * stream and the row's seq column), {@code where} says it to a person. {@code torn}: the line ends
     * without its end of line (the end of a file cut short). {@code row}: the table's own search columns,
     * null for files. {@code invalidByte}: the offset in the stored line of its first byte that is not UTF-8
     * (then {@code text} shows it as U+FFFD), or -1: {@code text} is then exactly the stored bytes, every one of
     * them, so the verifier checks the line as stored (a carriage return or a space added to it included).
     */
    record Entry(String segment, long position, String where, String text, boolean torn, Row row, long invalidByte) {
        /** A line stored as text (a table row): its text is what is stored. */
        public Entry(String segment, long position, String where, String text, boolean torn, Row row) {
            this(segment, position, where, text, torn, row, -1);
        }
    }

    /** The columns a table keeps beside each line (to search by); they must agree with the line. */
    record Row(long seq, Instant time, String type, String identity, String hash) {
    }
}
