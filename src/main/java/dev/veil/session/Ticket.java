package dev.veil.session;

import dev.veil.analysis.Analysis;
import dev.veil.error.VeilException;
import dev.veil.policy.MaskingPlan;
import dev.veil.policy.RowCeiling;

/**
 * What the pipeline tells a wire flow to do with a statement, once its decision is recorded. The flows keep
 * only protocol bookkeeping: they run or refuse as told (a statement held for approval has waited in the pipeline
 * before its ticket exists).
 */
public sealed interface Ticket {
    /**
     * Send it upstream. {@code record} follows it to completion (null for a statement only prepared, which is
     * recorded when it runs); its results go through {@code masking}; {@code ceiling}, when not null, is the
     * affected-rows ceiling the flow runs it under.
     */
    record Run(StatementRecord record, Analysis analysis, MaskingPlan masking, RowCeiling ceiling) implements Ticket {
        public Run(StatementRecord record, Analysis analysis, MaskingPlan masking) {
            this(record, analysis, masking, null);
        }
    }

    /** Do not send it; answer with {@code error} in its turn. Its decision is in the audit trail when the trail is writable. */
    record Refuse(VeilException error) implements Ticket {
    }
}
