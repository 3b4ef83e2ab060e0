package dev.veil.testing;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For a fuzz target's checked-in inputs (each run is named after its file): a file named {@code known-defect-…}
 * reproduces a defect that is being fixed on another branch. Until that fix is merged it is reported as skipped,
 * with its name, instead of failing every run; the fuzz target's comment names the branch. Once merged, drop the
 * prefix: the file is then an ordinary regression input.
 */
public final class KnownDefectInputs implements ExecutionCondition {
    public static final String PREFIX = "known-defect-";

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String name = context.getDisplayName();
        return name.startsWith(PREFIX)
                ? ConditionEvaluationResult.disabled(name + " reproduces a known defect whose fix is on another branch"
                        + " (see the fuzz target's comment); drop the prefix once the fix is merged")
                : ConditionEvaluationResult.enabled("an ordinary input");
    }
}
