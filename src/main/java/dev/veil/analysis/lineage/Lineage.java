package dev.veil.analysis.lineage;

import java.util.Collection;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Where the values of one output column come from. Three answers, never null: the base columns it was computed
 * from ({@link Known}), none at all (constants, {@code count(*)}, session functions: {@link None}), or
 * {@link Unknown} with the reason, which policy must treat as sensitive.
 */
public sealed interface Lineage {
    record Known(Set<Origin> origins) implements Lineage {
        public Known {
            if (origins.isEmpty()) {
                throw new IllegalArgumentException("Known lineage needs at least one origin; use None");
            }
            origins = Collections.unmodifiableSortedSet(new TreeSet<>(origins));
        }

        public Set<ColumnRef> columns() {
            return origins.stream().map(Origin::column).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    record None() implements Lineage {
    }

    record Unknown(String reason) implements Lineage {
    }

    None NONE = new None();

    static Lineage of(Collection<Origin> origins) {
        return origins.isEmpty() ? NONE : new Known(Set.copyOf(origins));
    }

    static Lineage unknown(String reason) {
        return new Unknown(reason);
    }

    /** The combination of two lineages for a value computed from both: Unknown wins, then the union. */
    default Lineage merge(Lineage other) {
        if (this instanceof Unknown) {
            return this;
        }
        if (other instanceof Unknown) {
            return other;
        }
        Set<Origin> all = new TreeSet<>();
        if (this instanceof Known k) {
            all.addAll(k.origins());
        }
        if (other instanceof Known k) {
            all.addAll(k.origins());
        }
        return of(all);
    }
}
