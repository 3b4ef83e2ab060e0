package dev.veil.analysis;

/** A relation a statement touches and how. {@code schema} is a MySQL database or a PostgreSQL schema. */
public record RelationAccess(String schema, String relation, Action action) implements Comparable<RelationAccess> {
    /** WRITE and DEFINE come from the token scan when a statement was not analysed and the exact action is unknown. */
    public enum Action { READ, INSERT, UPDATE, DELETE, WRITE, CREATE, ALTER, DROP, TRUNCATE, DEFINE, OTHER }

    public String qualified() {
        return schema.isEmpty() ? relation : schema + "." + relation;
    }

    @Override
    public int compareTo(RelationAccess o) {
        int c = qualified().compareTo(o.qualified());
        return c != 0 ? c : action.compareTo(o.action);
    }
}
