package dev.veil.analysis.lineage;

/** One column of a statement's result: its name as the client will see it, and where its values come from. */
public record OutputColumn(String name, Lineage lineage) {
}
