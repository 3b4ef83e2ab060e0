package dev.veil.analysis.text;

import dev.veil.analysis.StatementKind;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What {@link ConservativeScan} could tell from tokens alone.
 *
 * @param kind              the statement kind, never less dangerous than the truth (see {@link DangerOrder})
 * @param hasTopLevelWhere  a WHERE at the top level of the main statement (for UPDATE/DELETE: its own WHERE, not
 *                          one in a sub-query); {@link ScanFlag#WRITE_WITHOUT_WHERE} covers every UPDATE/DELETE
 * @param relations         relations named, in order of appearance, duplicates kept (CTE names included)
 * @param flags             see {@link ScanFlag}
 * @param statementCount    statements in the scanned text
 */
public record ScanResult(StatementKind kind, boolean hasTopLevelWhere, List<RelationRef> relations,
                         Set<ScanFlag> flags, int statementCount) {

    public ScanResult {
        relations = List.copyOf(relations);
        EnumSet<ScanFlag> ordered = EnumSet.noneOf(ScanFlag.class);
        ordered.addAll(flags);
        flags = Collections.unmodifiableSet(ordered);
    }

    public boolean has(ScanFlag flag) {
        return flags.contains(flag);
    }
}
