package dev.veil.conversation;

import java.util.ArrayList;
import java.util.List;

/**
 * What a client read back for one exchange, in the dialect's terms: every frame in order, as a short tag
 * (PostgreSQL "DataRow", "CommandComplete SELECT 1", "ErrorResponse ERROR 42501", "ReadyForQuery I"; MySQL
 * "ColumnCount 1", "Row", "EOF", "ERR 1148 42000"), the row values, and the errors with their messages.
 */
record Reply(List<String> frames, List<String> rows, List<Error> errors) {
    /** An error frame: its code (SQLSTATE for PostgreSQL, errno for MySQL) and message. */
    record Error(String code, String message) {
    }

    /** The first error, or null. */
    Error error() {
        return errors.isEmpty() ? null : errors.get(0);
    }

    /** Gathers a reply frame by frame. */
    static final class Builder {
        private final List<String> frames = new ArrayList<>();
        private final List<String> rows = new ArrayList<>();
        private final List<Error> errors = new ArrayList<>();

        Builder frame(String tag) {
            frames.add(tag);
            return this;
        }

        Builder row(String tag, String value) {
            rows.add(value);
            return frame(tag);
        }

        Builder error(String tag, String code, String message) {
            errors.add(new Error(code, message));
            return frame(tag);
        }

        Builder add(Reply other) {
            frames.addAll(other.frames);
            rows.addAll(other.rows);
            errors.addAll(other.errors);
            return this;
        }

        Reply build() {
            return new Reply(List.copyOf(frames), List.copyOf(rows), List.copyOf(errors));
        }
    }
}
