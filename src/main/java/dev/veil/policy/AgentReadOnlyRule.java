package dev.veil.policy;

import dev.veil.analysis.Analysis;
import dev.veil.analysis.Effects;
import dev.veil.analysis.RelationAccess;
import dev.veil.analysis.StatementKind;
import dev.veil.error.ErrorCode;
import dev.veil.identity.Identity;

import java.util.List;
import java.util.Set;

/**
 * Built-in: an AI agent only reads unless veil.agents.clients.&lt;id&gt;.allow-writes says otherwise, whatever the
 * policy file allows. Judged on the analysis, never on the first keyword: a {@code WITH … DELETE}, a write
 * hidden in the second statement of a text ({@code COMMIT; DROP …}), EXPLAIN ANALYZE of a write, SET TRANSACTION
 * READ WRITE, dynamic SQL, server files and functions that change state are all refused, each statement of a
 * longer text on its own; what Veil could not analyse is refused too (fail closed).
 */
final class AgentReadOnlyRule implements Rule {
    static final String NAME = "builtin.agent-read-only";
    private static final List<Guardrail> CHECKS = List.of(Guardrail.TRANSACTION_MODE, Guardrail.DYNAMIC_SQL,
            Guardrail.SERVER_FILES, Guardrail.PRIVILEGE_CHANGES);
    /** Functions a SELECT can call that change state outside the result (sequences, other sessions, server settings). */
    private static final Set<String> STATEFUL_FUNCTIONS = Set.of("nextval", "setval", "pg_terminate_backend",
            "pg_cancel_backend", "pg_reload_conf", "pg_rotate_logfile", "pg_advisory_lock", "pg_advisory_xact_lock",
            "pg_try_advisory_lock", "pg_notify", "set_config", "dblink", "dblink_exec", "pg_switch_wal", "txid_current",
            "get_lock", "sleep", "pg_sleep", "benchmark");
    /** Session statements that only read or set this session's own settings (the transaction mode is checked apart). */
    private static final Set<String> SESSION_WORDS = Set.of("SET", "SHOW", "RESET", "USE");

    @Override
    public Decision apply(StatementFacts statement) {
        SessionFacts session = statement.session();
        if (session.kind() != SessionFacts.Kind.AGENT) {
            return null;
        }
        Identity.Machine machine = session.identity().machine();
        if (machine != null && machine.allowWrites()) {
            return null;
        }
        Analysis analysis = statement.analysis();
        if (analysis == null) {
            return deny("Veil has no analysis of this statement, and an agent's statements are refused unless Veil can"
                    + " show they only read");
        }
        List<Analysis> parts = analysis.effects().parts();
        if (parts.isEmpty()) {
            String finding = finding(analysis);
            return finding == null ? null : deny(finding);
        }
        for (int i = 0; i < parts.size(); i++) {
            String f = finding(parts.get(i));
            if (f != null) {
                return deny("statement " + (i + 1) + " of " + parts.size() + " in this text: " + f
                        + " (a text is refused whole when any of its statements is)");
            }
        }
        return null;
    }

    private static Decision deny(String finding) {
        return new Decision.Deny(NAME, ErrorCode.POLICY_DENIED, NAME + ": " + finding + "; AI agents only read"
                + " (veil.agents.clients.<client>.allow-writes lets one change data, within the policy)");
    }

    /** Why this one statement is not a plain read, or null when it is. */
    static String finding(Analysis a) {
        if (!a.analysed()) {
            return "Veil could not analyse it (" + a.failure().orElse("") + ")";
        }
        Effects e = a.effects();
        List<String> words = e.command();
        String head = words.isEmpty() ? a.kind().name() : words.get(0);
        for (Guardrail g : CHECKS) {
            String f = g.check(a, null, null);
            if (f != null && !(g == Guardrail.TRANSACTION_MODE && head.equals("SHOW"))) {
                return f;
            }
        }
        if (e.flags().contains(Effects.Flag.DATA_MODIFYING_CTE)) {
            return "a WITH item changes data";
        }
        if (e.flags().contains(Effects.Flag.EXPLAIN_ANALYZE_WRITE)) {
            return "EXPLAIN ANALYZE runs the write it explains";
        }
        for (String f : e.functions()) {
            if (STATEFUL_FUNCTIONS.contains(f)) {
                return "function " + f + " changes state beyond the result";
            }
        }
        boolean explained = a.kind() == StatementKind.READ && words.isEmpty();
        for (RelationAccess r : a.relations()) {
            // A plain EXPLAIN names the relations of the statement it plans (OTHER) without running it; EXPLAIN
            // ANALYZE of a write was refused above. Commands (LOCK, COMMENT, DECLARE …) have words and stay refused.
            if (r.action() != RelationAccess.Action.READ && !(explained && r.action() == RelationAccess.Action.OTHER)) {
                return head + " " + r.action().name().toLowerCase() + "s " + r.qualified();
            }
        }
        StatementKind kind = a.kind();
        if (kind == StatementKind.READ || kind == StatementKind.TRANSACTION_CONTROL
                || kind == StatementKind.SESSION && SESSION_WORDS.contains(head)) {
            return null;
        }
        return head + " is a " + kind.name().toLowerCase().replace('_', ' ') + " statement, not a read";
    }
}
