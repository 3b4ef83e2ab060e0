package dev.veil.policy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.veil.analysis.Analysis;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decisions of one policy set, by statement analysis (the same object for every statement of one shape: see
 * AnalysisCache) and then by who asks. Belonging to the set, it dies with it: a new policy version starts with
 * an empty cache, so no decision of an older version is ever returned. Analyses are held weakly: once the
 * analysis cache lets one go, its decisions go too.
 */
final class DecisionCache {
    /** Distinct askers per statement shape kept; past it the shape's entries are dropped and collected again. */
    private static final int ASKERS_PER_STATEMENT = 64;

    private final Cache<Analysis, Map<Key, Decision>> byAnalysis;

    /**
     * Who asks, as far as the decision can depend on it: the database, and either the session (when a rule
     * reads facts of the session or the identity beyond its roles), the policy roles alone, or, for an identity
     * holding none, its name (the default refusal names it).
     */
    record Key(String database, Object asker) {
        /* Written out: looked up for every statement, and the generated methods went through method handles. */
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(k.database, database) && Objects.equals(k.asker, asker);
        }

        @Override
        public int hashCode() {
            return Objects.hashCode(database) * 31 + Objects.hashCode(asker);
        }
    }

    /** The asker of an identity that holds no role. */
    record Unknown(String subject) {
    }

    DecisionCache(long statements) {
        // Maintenance on the caller (an event loop): the default executor, the common pool, was woken hundreds of
        // times a second under load, a thread hand-over on the cores the loops need.
        byAnalysis = Caffeine.newBuilder().weakKeys().maximumSize(statements).executor(Runnable::run).build();
    }

    Decision get(Analysis analysis, Key key) {
        Map<Key, Decision> decisions = byAnalysis.getIfPresent(analysis);
        return decisions == null ? null : decisions.get(key);
    }

    void put(Analysis analysis, Key key, Decision decision) {
        Map<Key, Decision> decisions = byAnalysis.get(analysis, a -> new ConcurrentHashMap<>());
        if (decisions.size() >= ASKERS_PER_STATEMENT) {
            decisions.clear();
        }
        decisions.put(key, decision);
    }
}
