package dev.veil.policy;

/** Whether a rule's outcome is applied (enforce) or only recorded beside the decision made without it (observe). */
public enum Mode {
    ENFORCE, OBSERVE
}
