package dev.veil.policy;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A policy file that cannot be used, with every mistake found: where (file, line, column, counted from 1) and
 * what is wrong. The message has one mistake per line, {@code file:line:column: what}, as compilers write them.
 */
public final class PolicyProblem extends Exception {
    /** One mistake; line and column are those of the file (for a condition, of the spot inside it). */
    public record Mistake(int line, int column, String what) {
    }

    private final String source;
    private final List<Mistake> mistakes;

    public PolicyProblem(String source, List<Mistake> mistakes) {
        super(message(source, mistakes));
        this.source = source;
        this.mistakes = List.copyOf(mistakes);
    }

    public String source() {
        return source;
    }

    public List<Mistake> mistakes() {
        return mistakes;
    }

    private static String message(String source, List<Mistake> mistakes) {
        return mistakes.stream().map(m -> source + ":" + m.line() + ":" + m.column() + ": " + m.what())
                .collect(Collectors.joining("\n"));
    }
}
