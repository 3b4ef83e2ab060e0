package dev.veil.analysis;

import java.time.Duration;

/**
 * How much of a statement Veil hands to Calcite, and for how long. Calcite's parser, validator and planner
 * recurse once per level of nesting, so a statement nested a few hundred levels deep exhausts a thread's stack;
 * their cost grows with the statement's size, and faster than its size for some forms (a select list of
 * thousands of expressions). A statement over a limit is not analysed: it fails closed with a reason that names
 * the limit. Depth and size are counted after constant VALUES rows and IN lists are shortened
 * ({@link ConstantLists}), so bulk inserts of any length stay well inside them.
 *
 * @param maxDepth  the deepest nesting analysed, in levels as {@link NestingDepth} counts them (parentheses,
 *                  CASE, parenthesised queries, and chains of operators, which Calcite also nests)
 * @param maxTokens the most code tokens analysed
 * @param maxTime   how much CPU time one analysis may take; the validator and the planner's steps check it
 */
public record AnalysisLimits(int maxDepth, int maxTokens, Duration maxTime) {
    /**
     * 200 levels: on a default 1 MB thread stack Calcite handles 300 to 600 depending on the form (IN sub-queries,
     * which count three levels each here, overflow its decorrelator at about 120); PostgreSQL itself goes to
     * thousands. 100,000 tokens: parsing that many takes well under a second. 5 s of CPU time: a cache miss costs
     * about a millisecond for ordinary statements, but the first analysis after start-up loads and initialises
     * Calcite, which takes about 2 s.
     */
    public static final AnalysisLimits DEFAULTS = new AnalysisLimits(200, 100_000, Duration.ofSeconds(5));

    public AnalysisLimits {
        if (maxDepth < 1 || maxTokens < 1 || maxTime.isNegative() || maxTime.isZero()) {
            throw new IllegalArgumentException("analysis limits must be positive: depth " + maxDepth + ", tokens "
                    + maxTokens + ", time " + maxTime);
        }
    }
}
