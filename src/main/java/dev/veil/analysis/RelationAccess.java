package dev.veil.analysis;

/** A relation a statement touches and how. {@code schema} is a MySQL database or a PostgreSQL schema. */
public record RelationAccess(String schema, String relation, Action action) implements Comparable<RelationAccess> {
    public enum Action { READ, INSERT, UPDATE, DELETE, CREATE, ALTER, DROP, TRUNCATE, OTHER }

    public String qualified() {
        return schema.isEmpty() ? relation : schema + "." + relation;
    }

    @Override
    public int compareTo(RelationAccess o) {
        int c = qualified().compareTo(o.qualified());
        return c != 0 ? c : action.compareTo(o.action);
    }
}
