package dev.veil.policy;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelVariableResolver;

import java.util.Set;
import java.util.TreeSet;

/** A rule's {@code when}: a CEL expression checked and planned when the policy file was loaded. */
final class Condition {
    private final String expression;
    private final CelRuntime.Program program;
    private final Set<String> reads;

    private Condition(String expression, CelRuntime.Program program, Set<String> reads) {
        this.expression = expression;
        this.program = program;
        this.reads = Set.copyOf(reads);
    }

    /** A checked expression (its result type is bool) made runnable; {@code ast} tells which variables it reads. */
    static Condition of(String expression, CelAbstractSyntaxTree ast) throws CelEvaluationException {
        Set<String> reads = new TreeSet<>();
        ast.getReferenceMap().values().forEach(r -> {
            if (PolicyVariables.DECLARED.containsKey(r.name())) {
                reads.add(r.name());
            }
        });
        return new Condition(expression, PolicyVariables.CEL.createProgram(ast), reads);
    }

    boolean test(CelVariableResolver variables) throws CelEvaluationException {
        return Boolean.TRUE.equals(program.eval(variables));
    }

    /** The declared variables it reads. */
    Set<String> reads() {
        return reads;
    }

    boolean readsAny(Set<String> variables) {
        for (String v : reads) {
            if (variables.contains(v)) {
                return true;
            }
        }
        return false;
    }

    String expression() {
        return expression;
    }
}
