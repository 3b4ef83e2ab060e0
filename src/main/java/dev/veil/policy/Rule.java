package dev.veil.policy;

/** One rule of the decision step: a decision when it applies to the statement, null when it does not. */
public interface Rule {
    Decision apply(StatementFacts statement);
}
