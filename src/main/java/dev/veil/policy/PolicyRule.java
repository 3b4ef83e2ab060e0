package dev.veil.policy;

/** One rule of the policy file: when its condition holds, {@code outcome} decides (or, observed, is recorded). */
record PolicyRule(String name, Condition when, Outcome outcome, Mode mode) {
}
