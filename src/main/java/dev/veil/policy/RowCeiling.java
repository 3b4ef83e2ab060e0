package dev.veil.policy;

/**
 * The affected-rows ceiling an allowed UPDATE / DELETE / MERGE runs under ({@code affected-rows-ceiling} in the
 * policy file): the statement runs inside a savepoint (or a transaction of Veil's in autocommit), the server's
 * count of the rows it touched is read, and the statement is rolled back and refused when the count is over
 * {@code maxRows}. In observe mode nothing is wrapped: the count is only compared and recorded. The wire flows
 * apply it; the policy step only says which ceiling applies.
 */
public record RowCeiling(String rule, long maxRows, Mode mode) {
    public boolean observe() {
        return mode == Mode.OBSERVE;
    }

    /** Whether {@code rows} rows are more than the ceiling allows. */
    public boolean over(long rows) {
        return rows > maxRows;
    }

    /** The client's error when the statement touched {@code rows} rows, more than the ceiling. */
    public String refusal(long rows) {
        return "guardrail affected-rows-ceiling: this statement changed " + rows + " rows, more than this role's ceiling of "
                + maxRows + "; Veil rolled its changes back (your transaction goes on as before the statement). Change "
                + "fewer rows at a time (narrow the WHERE, or work in batches of at most " + maxRows
                + "), or ask for approval";
    }

    /** What the audit trail says of a statement within the ceiling. */
    public String within(long rows) {
        return "guardrail affected-rows-ceiling: " + rows + " rows changed, within the ceiling of " + maxRows;
    }

    /** The client's error when Veil could not count what the statement did (fail closed). */
    public String uncounted(String why) {
        return "guardrail affected-rows-ceiling: Veil could not count the rows this statement changed (" + why
                + "), so it was rolled back (fail closed; your transaction goes on as before the statement); send the "
                + "UPDATE / DELETE as a statement of its own";
    }
}
