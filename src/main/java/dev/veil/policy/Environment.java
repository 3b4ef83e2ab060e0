package dev.veil.policy;

import java.util.Locale;

/** The environment a Veil serves, as its policy file declares it: its name and how much it is protected. */
public record Environment(String name, Protection protection) {
    /** How carefully statements in this environment are to be treated; rules read it as environment.protection. */
    public enum Protection {
        LOW, MEDIUM, HIGH;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
