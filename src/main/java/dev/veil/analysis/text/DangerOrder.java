package dev.veil.analysis.text;

import dev.veil.analysis.StatementKind;

import java.util.Comparator;
import java.util.List;

/**
 * The order in which statement kinds are considered dangerous, least first. A conservative classification may
 * only move a statement up this list, never down:
 * READ &lt; TRANSACTION_CONTROL &lt; SESSION &lt; WRITE &lt; DDL &lt; PRIVILEGE &lt; PROCEDURAL &lt; UNKNOWN.
 * SESSION is above TRANSACTION_CONTROL because session settings change how later statements resolve names;
 * PROCEDURAL is below only UNKNOWN because a program or dynamic SQL can do anything the others can.
 */
public final class DangerOrder {
    private static final List<StatementKind> ORDER = List.of(StatementKind.READ, StatementKind.TRANSACTION_CONTROL,
            StatementKind.SESSION, StatementKind.WRITE, StatementKind.DDL, StatementKind.PRIVILEGE,
            StatementKind.PROCEDURAL, StatementKind.UNKNOWN);

    public static final Comparator<StatementKind> COMPARATOR = Comparator.comparingInt(DangerOrder::rank);

    private DangerOrder() {
    }

    public static int rank(StatementKind kind) {
        return ORDER.indexOf(kind);
    }

    public static StatementKind max(StatementKind a, StatementKind b) {
        return rank(a) >= rank(b) ? a : b;
    }

    /** True when {@code candidate} reports at least as much danger as {@code reference}. */
    public static boolean atLeast(StatementKind candidate, StatementKind reference) {
        return rank(candidate) >= rank(reference);
    }

    /** All kinds, least dangerous first. */
    public static List<StatementKind> ascending() {
        return ORDER;
    }
}
