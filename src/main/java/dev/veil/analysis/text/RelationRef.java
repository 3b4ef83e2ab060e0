package dev.veil.analysis.text;

import java.util.List;

/**
 * A relation named in a statement.
 *
 * @param parts the qualified name as the server resolves its parts: unquoted PostgreSQL parts folded to lower
 *              case, quoted parts exact, MySQL parts as written; {@code *} for MySQL's {@code db.*} in GRANT
 */
public record RelationRef(List<String> parts, RelationAccess access) {

    public RelationRef {
        parts = List.copyOf(parts);
    }

    /** The parts joined with '.', e.g. {@code public.customers}. */
    public String name() {
        return String.join(".", parts);
    }

    /** The last part: the relation's own name without schema or database. */
    public String simpleName() {
        return parts.get(parts.size() - 1);
    }
}
