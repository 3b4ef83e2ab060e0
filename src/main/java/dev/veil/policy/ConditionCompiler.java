package dev.veil.policy;

import dev.cel.common.CelIssue;
import dev.cel.common.CelSourceLocation;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.runtime.CelEvaluationException;

import java.util.List;

/**
 * Compiles a rule's condition: parsed, type-checked against {@link PolicyVariables} (its result must be true or
 * false) and planned. Each mistake says where inside the expression it is, for the parser to point into the file.
 */
final class ConditionCompiler {
    /** {@code index}: the character of the expression the mistake is at (-1: the expression as a whole). */
    record Mistake(int index, String what) {
    }

    private ConditionCompiler() {
    }

    /** The condition, or null after adding every mistake to {@code mistakes}. */
    static Condition compile(String expression, List<Mistake> mistakes) {
        CelValidationResult compiled = PolicyVariables.CEL.compile(expression);
        if (compiled.hasError()) {
            for (CelIssue issue : compiled.getErrors()) {
                int index = index(expression, issue.getSourceLocation());
                mistakes.add(new Mistake(index, celMessage(issue.getMessage(), expression, index)));
            }
            return null;
        }
        try {
            return Condition.of(expression, compiled.getAst());
        } catch (CelValidationException | CelEvaluationException e) {
            mistakes.add(new Mistake(-1, celMessage(e.getMessage(), expression, -1)));
            return null;
        }
    }

    /** The character of the expression CEL's location (line from 1, column from 0) names; -1 when none. */
    private static int index(String expression, CelSourceLocation location) {
        if (location == null || location.getLine() < 1) {
            return -1;
        }
        int index = 0;
        for (int line = 1; line < location.getLine(); line++) {
            int nl = expression.indexOf('\n', index);
            if (nl < 0) {
                return -1;
            }
            index = nl + 1;
        }
        try {
            return Math.min(expression.offsetByCodePoints(index, Math.max(location.getColumn(), 0)), expression.length() - 1);
        } catch (IndexOutOfBoundsException e) {
            return -1;
        }
    }

    /**
     * CEL's message, for a reader of the policy file: a misspelt variable is named in full (CEL names only its
     * first part, the rest being field selections), with the variables there are.
     */
    private static String celMessage(String message, String expression, int index) {
        String m = message.replace(" (in container '')", "");
        if (m.startsWith("undeclared reference")) {
            String written = index < 0 ? null : dottedName(expression, index);
            if (written != null && written.contains(".")) {
                m = "unknown variable '" + written + "'";
            }
            m += "; conditions read " + String.join(", ", PolicyVariables.DECLARED.keySet());
        }
        return m;
    }

    /** The dotted name (a.b.c) written from {@code index} on. */
    private static String dottedName(String expression, int index) {
        int end = index;
        while (end < expression.length()
                && (Character.isLetterOrDigit(expression.charAt(end)) || expression.charAt(end) == '_' || expression.charAt(end) == '.')) {
            end++;
        }
        String name = expression.substring(index, end);
        if (end < expression.length() && expression.charAt(end) == '(' && name.lastIndexOf('.') > 0) {
            name = name.substring(0, name.lastIndexOf('.')); // a method called on it: relations.exists(…)
        }
        while (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        return name.isEmpty() ? null : name;
    }
}
