package dev.veil.analysis.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads one relation reference at a time: a qualified name with its alias, column-alias list and decorations
 * (PARTITION, index hints, TABLESAMPLE, WITH ORDINALITY), and records it. {@link RelationCollector} decides
 * where references start and with which access.
 */
final class RelationReader {
    private static final Set<String> NOT_AN_ALIAS = Set.of("WHERE", "JOIN", "INNER", "LEFT", "RIGHT", "FULL",
            "CROSS", "NATURAL", "STRAIGHT_JOIN", "ON", "USING", "GROUP", "ORDER", "HAVING", "LIMIT", "OFFSET",
            "FETCH", "FOR", "UNION", "EXCEPT", "INTERSECT", "MINUS", "WINDOW", "SET", "VALUES", "VALUE",
            "RETURNING", "WHEN", "THEN", "LOCK", "INTO", "PARTITION", "USE", "IGNORE", "FORCE", "TABLESAMPLE",
            "WITH", "SELECT", "DEFAULT", "OVERRIDING", "FROM", "DO", "OUTER", "LATERAL", "END", "ELSE", "AND",
            "OR", "AS", "READ", "WRITE", "LOW_PRIORITY", "IN", "LIKE", "TO", "START", "SHARE", "NOWAIT", "SKIP",
            "OF", "CASCADE", "RESTRICT", "RESTART", "CONTINUE", "IDENTITY", "ONLY", "IF", "RENAME", "ADD",
            "ALTER", "DROP", "OWNER", "NO", "QUICK", "ORDINALITY", "ROWS", "ESCAPE", "IS", "NOT", "PROGRAM",
            "STDIN", "STDOUT", "CHARACTER", "FIELDS", "COLUMNS", "LINES", "CONCURRENTLY", "DUAL", "TABLE");
    private static final Set<String> MODIFIERS = Set.of("LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE",
            "QUICK", "ONLY");


    private final CodeView v;
    private final Set<ScanFlag> flags;
    private final List<RelationRef> out = new ArrayList<>();

    RelationReader(CodeView v, Set<ScanFlag> flags) {
        this.v = v;
        this.flags = flags;
    }

    List<RelationRef> relations() {
        return out;
    }

    /** MySQL grant levels: {@code db.*}, {@code *.*}, {@code db.t}, {@code t}. */
    int grantName(int k) {
        List<String> parts = new ArrayList<>();
        while (k < v.size()) {
            Token t = v.at(k);
            if (t.isName()) {
                parts.add(v.namePart(k));
            } else if (t.isOperator("*")) {
                parts.add("*");
            } else {
                break;
            }
            k++;
            if (!v.punct(k, '.')) {
                break;
            }
            k++;
        }
        if (parts.isEmpty()) {
            return -1;
        }
        out.add(new RelationRef(parts, RelationAccess.DEFINE));
        return k;
    }

    // ---- items --------------------------------------------------------------------------------------------

    void list(int k, RelationAccess access, boolean fromList) {
        while (k < v.size()) {
            int after = item(k, access, fromList);
            if (after < 0 || !v.punct(after, ',') || v.depth[after] != v.depth[k]) {
                return;
            }
            k = after + 1;
        }
    }

    /**
     * One relation reference with its alias and decorations. In a FROM list a name followed by '(' is a table
     * function; after INTO/TABLE it is a relation with a column list.
     *
     * @return the index after the item, or -1 when no relation reference starts at {@code k}
     */
    int item(int k, RelationAccess access, boolean fromList) {
        k = skipIfExists(k);
        while (v.isAny(k, "ONLY", "LATERAL")) {
            k++;
        }
        if (v.punct(k, '(')) {
            k = v.afterGroup(k);
        } else if (v.at(k) != null && v.at(k).isName() && !NOT_AN_ALIAS.contains(v.upper(k))) {
            List<String> parts = new ArrayList<>();
            parts.add(v.namePart(k));
            k++;
            while (v.punct(k, '.') && v.at(k + 1) != null && v.at(k + 1).isName()) {
                parts.add(v.namePart(k + 1));
                k += 2;
            }
            if (v.punct(k, '.') && v.at(k + 1) != null && v.at(k + 1).isOperator("*")) {
                k += 2; // MySQL DELETE t.* FROM …
            }
            if (fromList && v.punct(k, '(')) {
                flags.add(ScanFlag.TABLE_FUNCTION);
                k = v.afterGroup(k);
            } else {
                out.add(new RelationRef(parts, access));
                if (v.at(k) != null && v.at(k).isOperator("*")) {
                    k++; // PostgreSQL legacy "FROM t *"
                }
            }
        } else {
            return -1;
        }
        k = decorations(k);
        if (v.is(k, "AS")) {
            k++;
        }
        if (v.at(k) != null && v.at(k).isName() && !NOT_AN_ALIAS.contains(v.upper(k))) {
            k++;
            if (v.punct(k, '(')) {
                k = v.afterGroup(k);
            }
        }
        return decorations(k);
    }

    /** PARTITION (…), index hints, TABLESAMPLE, WITH ORDINALITY. */
    private int decorations(int k) {
        while (k < v.size()) {
            if (v.is(k, "PARTITION") && v.punct(k + 1, '(')) {
                k = v.afterGroup(k + 1);
            } else if (v.isAny(k, "USE", "IGNORE", "FORCE") && v.isAny(k + 1, "INDEX", "KEY")) {
                k += 2;
                while (k < v.size() && !v.punct(k, '(')) {
                    k++;
                }
                k = k < v.size() ? v.afterGroup(k) : k;
            } else if (v.is(k, "TABLESAMPLE")) {
                k += 2;
                if (v.punct(k, '(')) {
                    k = v.afterGroup(k);
                }
                if (v.is(k, "REPEATABLE") && v.punct(k + 1, '(')) {
                    k = v.afterGroup(k + 1);
                }
            } else if (v.is(k, "WITH") && v.is(k + 1, "ORDINALITY")) {
                k += 2;
            } else {
                return k;
            }
        }
        return k;
    }

    int skipIfExists(int k) {
        if (v.is(k, "IF") && v.is(k + 1, "NOT") && v.is(k + 2, "EXISTS")) {
            return k + 3;
        }
        if (v.is(k, "IF") && v.is(k + 1, "EXISTS")) {
            return k + 2;
        }
        return k;
    }

    int skipModifiers(int k) {
        while (MODIFIERS.contains(v.upper(k))) {
            k++;
        }
        return k;
    }

    boolean isModifier(String upperWord) {
        return MODIFIERS.contains(upperWord);
    }
}
