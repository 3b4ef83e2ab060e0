package dev.veil.config;

/**
 * Veil cannot start as configured, for a reason the operator fixes (the message names each property, and its
 * environment variable where that helps, and what to do): the command line prints the message alone, without
 * a stack trace.
 */
public final class ConfigurationProblem extends IllegalStateException {
    public ConfigurationProblem(String message) {
        super(message);
    }

    public ConfigurationProblem(String message, Throwable cause) {
        super(message, cause);
    }
}
