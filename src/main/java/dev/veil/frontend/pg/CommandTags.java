package dev.veil.frontend.pg;

import dev.veil.protocol.pg.PgFrame;
import io.vertx.core.buffer.Buffer;

/** What a CommandComplete tag says: the command, and the rows it reports. */
final class CommandTags {
    private CommandTags() {
    }

    /** The tag of a CommandComplete frame. */
    static String of(PgFrame frame) {
        Buffer b = frame.body();
        int end = b.length() > 0 && b.getByte(b.length() - 1) == 0 ? b.length() - 1 : b.length();
        return b.getString(0, end, "UTF-8");
    }

    /** The row count a CommandComplete tag reports (its last word), or null for commands that report none. */
    static Long rows(String tag) {
        int sp = tag.lastIndexOf(' ');
        if (sp < 0 || !(tag.startsWith("SELECT") || tag.startsWith("INSERT") || tag.startsWith("UPDATE")
                || tag.startsWith("DELETE") || tag.startsWith("COPY") || tag.startsWith("FETCH")
                || tag.startsWith("MOVE") || tag.startsWith("MERGE"))) {
            return null;
        }
        try {
            return Long.parseLong(tag.substring(sp + 1));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Whether the tag is one that reports the rows an UPDATE / DELETE / MERGE changed. */
    static boolean counting(String tag) {
        return tag != null && (tag.startsWith("UPDATE ") || tag.startsWith("DELETE ") || tag.startsWith("MERGE "));
    }
}
