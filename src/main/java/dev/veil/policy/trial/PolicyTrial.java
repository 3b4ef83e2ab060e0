package dev.veil.policy.trial;

import dev.veil.analysis.Analysis;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.text.LexicalSettings;
import dev.veil.analysis.text.SqlTokenizer;
import dev.veil.analysis.text.StatementSplitter;
import dev.veil.analysis.text.StatementText;
import dev.veil.policy.Decision;
import dev.veil.policy.PolicyEngine;
import dev.veil.policy.SessionFacts;
import dev.veil.policy.StatementFacts;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides a text as the statement pipeline would, without running it: the analysis, then the engine's decision
 * (built-in rules, then the policy in force). Shared by {@code POST /api/v1/decide}, {@code veil policy test} and
 * {@code veil policy replay}; pure, the caller says how statements are analysed (with a catalog or without).
 *
 * <p>A text holding several statements is decided whole, as the wire sends it (a PostgreSQL simple query, a MySQL
 * multi-statement COM_QUERY): that is the decision the client gets. Each statement is also decided on its own, so
 * a reader sees which part a rule is about.
 */
public final class PolicyTrial {
    /** How a statement's text is analysed. */
    public interface Analyzer {
        Analysis analyze(String sql);
    }

    /** One statement of the text, decided on its own; {@code index} from 0. */
    public record Part(int index, String sql, Analysis analysis, Decision decision) {
    }

    /** The decision of the whole text, its analysis, and its statements each decided alone (one: the text itself). */
    public record Verdict(Decision decision, Analysis analysis, List<Part> statements) {
    }

    private final PolicyEngine engine;

    public PolicyTrial(PolicyEngine engine) {
        this.engine = engine;
    }

    public Verdict decide(Dialect dialect, String database, SessionFacts asker, String sql, Analyzer analyzer) {
        Analysis whole = analyzer.analyze(sql);
        Decision decision = engine.decide(new StatementFacts(dialect, sql, false, whole, asker, database));
        List<StatementText> split = StatementSplitter.split(new SqlTokenizer(LexicalSettings.defaults(dialect)).tokenize(sql))
                .stream().filter(s -> !s.code().isEmpty()).toList();
        if (split.size() <= 1) {
            String text = split.isEmpty() ? sql : split.get(0).sql().strip();
            return new Verdict(decision, whole, List.of(new Part(0, text, whole, decision)));
        }
        List<Part> parts = new ArrayList<>(split.size());
        for (int i = 0; i < split.size(); i++) {
            String part = split.get(i).sql().strip();
            Analysis a = analyzer.analyze(part);
            parts.add(new Part(i, part, a, engine.decide(new StatementFacts(dialect, part, false, a, asker, database))));
        }
        return new Verdict(decision, whole, parts);
    }

    /** How reports name a decision's outcome: allow, deny or require-approval. */
    public static String verdict(Decision d) {
        if (d instanceof Decision.Allow) {
            return "allow";
        }
        return d instanceof Decision.Deny ? "deny" : "require-approval";
    }

    /** The client's error message for a refusal, null for an allowed statement. */
    public static String reason(Decision d) {
        if (d instanceof Decision.Deny deny) {
            return deny.reason();
        }
        return d instanceof Decision.RequireApproval approval ? approval.reason() : null;
    }
}
