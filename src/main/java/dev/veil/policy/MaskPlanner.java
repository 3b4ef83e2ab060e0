package dev.veil.policy;

import dev.veil.analysis.Analysis;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.Effects;
import dev.veil.analysis.lineage.Lineage;
import dev.veil.analysis.lineage.Origin;
import dev.veil.analysis.lineage.OutputColumn;
import dev.veil.analysis.lineage.WrittenColumn;
import dev.veil.analysis.text.SqlTokenizer;
import dev.veil.analysis.text.Token;
import dev.veil.analysis.text.TokenKind;
import dev.veil.error.ErrorCode;
import dev.veil.masking.Masker;

import dev.veil.analysis.RelationAccess;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns a mask rule's directives into the {@link MaskingPlan} of one statement, or refuses the statement. Output
 * column i is masked when an origin of its lineage carries a masked tag: derived values (functions, casts, CASE,
 * aggregates, UNION branches, views, whole-row references) carry their origins, so they are masked too. Refused,
 * because masking the result would not be enough or cannot be done:
 * <ul>
 *   <li>a statement that was not analysed (fail closed: which columns are masked is not known);</li>
 *   <li>a result column of unknown lineage, unless the rule says {@code unknown-lineage: scan};</li>
 *   <li>a masked column used where its directive's {@code filter} does not allow ({@link InferenceControl});</li>
 *   <li>a masked column flowing into a write (CREATE TABLE AS, SELECT INTO, INSERT … SELECT, UPDATE … SET) or
 *       into a file or program on the server (COPY … TO 'file', SELECT … INTO OUTFILE): the copy would be clear.</li>
 * </ul>
 * A FETCH / MOVE of a PostgreSQL cursor gets a plan naming the cursor: the wire applies the plan its DECLARE got.
 */
final class MaskPlanner {
    private MaskPlanner() {
    }

    static Decision plan(String rule, Outcome.Allow outcome, StatementFacts facts, TagRules tags) {
        List<MaskingPlan.Directive> directives = outcome.masks();
        Analysis a = facts.analysis();
        if (a == null || !a.analysed()) {
            String why = a == null ? "it was not analysed" : a.failure().orElse("it was not analysed");
            return deny(rule, "this statement could not be analysed (" + why + "), so Veil cannot tell which of its "
                    + "result columns hold data masked for you; it is refused (fail closed). Send one statement at a time, "
                    + "in a form Veil analyses, or use a role that sees the data");
        }
        List<String> command = a.effects().command();
        if (facts.dialect() == Dialect.POSTGRESQL && !command.isEmpty()
                && (command.get(0).equals("FETCH") || command.get(0).equals("MOVE"))) {
            String cursor = cursor(facts.sql());
            if (cursor != null) {
                return allow(rule, new MaskingPlan(List.of(), directives, -1, cursor, List.of(), identifiers(a)));
            }
        }
        MaskTags masked = new MaskTags(a, tags, directives);
        for (WrittenColumn w : a.writes()) {
            String target = w.column().qualified();
            if (w.source() instanceof Lineage.Unknown u) {
                return deny(rule, "Veil cannot tell where the values written into " + target + " come from ("
                        + u.reason() + "), so they may be data masked for you; the statement is refused (fail closed). "
                        + "Write values that come from the statement itself, or use a role that sees the data");
            }
            MaskTags.Hit hit = masked.of(w.source());
            if (hit != null) {
                return deny(rule, "column " + hit.describe() + " is masked for you and would be copied into " + target
                        + " in clear by this statement (an approval does not lift this); use a role that sees it");
            }
        }
        InferenceControl.Verdict inference = InferenceControl.check(rule, a, masked);
        if (inference.refusal() != null) {
            return new Decision.Deny(rule, ErrorCode.POLICY_DENIED, inference.refusal());
        }
        boolean toServer = a.effects().flags().contains(Effects.Flag.SERVER_FILE)
                || a.effects().flags().contains(Effects.Flag.SERVER_PROGRAM);
        List<MaskingPlan.ColumnMask> columns = new ArrayList<>();
        for (int i = 0; i < a.columns().size(); i++) {
            OutputColumn c = a.columns().get(i);
            if (c.lineage() instanceof Lineage.Unknown u) {
                if (!outcome.scanUnknown() || toServer) {
                    return deny(rule, "Veil cannot trace where result column " + (i + 1) + " (" + c.name()
                            + ") comes from (" + u.reason() + "), so it may hold data masked for you; the statement is "
                            + "refused (fail closed). Select the columns you need by name, or use a role that sees the data");
                }
                MaskingPlan.Directive strictest = masked.strictest();
                columns.add(new MaskingPlan.ColumnMask(i, c.name(), List.of(), strictest.parsed(), true));
                continue;
            }
            MaskTags.Hit hit = masked.of(c.lineage());
            if (hit == null) {
                continue;
            }
            if (toServer) {
                return deny(rule, "column " + hit.describe() + " is masked for you and this statement writes its "
                        + "result to a file or program on the database server, where Veil cannot mask it; read it "
                        + "through Veil instead (COPY … TO STDOUT), or use a role that sees it");
            }
            List<String> hitTags = new ArrayList<>();
            hitTags.add(hit.directive().tag());
            hit.tags().stream().filter(t -> !t.equals(hit.directive().tag())).forEach(hitTags::add);
            columns.add(new MaskingPlan.ColumnMask(i, c.name(), hitTags, masker(hit, c.lineage()), false,
                    List.copyOf(hit.origins())));
        }
        if (a.columns().isEmpty() && a.otherColumns() instanceof Lineage.Unknown u) {
            return deny(rule, "this statement returns rows Veil cannot trace (" + u.reason() + "), so they may hold "
                    + "data masked for you; it is refused (fail closed). Run the query itself, or use a role that sees the data");
        }
        int width = columns.isEmpty() ? -1 : a.columns().size();
        return allow(rule, new MaskingPlan(columns, directives, width, null, inference.probes(), identifiers(a)));
    }

    /** The statement's relation and column names, lower case: a scrubbed error keeps them ({@link MaskingPlan#identifiers}). */
    static Set<String> identifiers(Analysis a) {
        Set<String> names = new HashSet<>();
        for (RelationAccess r : a.relations()) {
            names.add(r.relation());
        }
        for (OutputColumn c : a.columns()) {
            names.add(c.name());
            if (c.lineage() instanceof Lineage.Known k) {
                k.origins().forEach(o -> names.add(o.column().column()));
            }
        }
        a.writes().forEach(w -> names.add(w.column().column()));
        a.uses().forEach(u -> names.add(u.column().column()));
        Set<String> lower = new HashSet<>();
        names.stream().filter(n -> n != null && !n.isEmpty()).forEach(n -> lower.add(n.toLowerCase(Locale.ROOT)));
        return lower;
    }

    /**
     * The directive's masker, or redact for a value derived from a masked column (a function, cast or expression
     * of it) when that masker keeps part of the value: email keeps what follows the last '@' and partial the last
     * characters, which in {@code reverse(email)} or {@code substr(ssn, …) || ''} are the hidden part itself.
     */
    private static Masker masker(MaskTags.Hit hit, Lineage lineage) {
        Masker m = hit.directive().parsed();
        if (!(m instanceof Masker.Email || m instanceof Masker.Partial) || !(lineage instanceof Lineage.Known k)) {
            return m;
        }
        for (Origin o : k.origins()) {
            if (o.derived() && hit.origins().contains(o.column().qualified())) {
                return new Masker.Redact();
            }
        }
        return m;
    }

    private static Decision allow(String rule, MaskingPlan plan) {
        return new Decision.Allow(rule, plan);
    }

    private static Decision deny(String rule, String reason) {
        return new Decision.Deny(rule, ErrorCode.POLICY_DENIED, "masking rule " + rule + ": " + reason);
    }

    /**
     * The cursor a FETCH / MOVE reads: its last name (FETCH [direction] [FROM | IN] name), folded to lower case
     * unless quoted, as PostgreSQL resolves it. Null when the text does not end in a name.
     */
    static String cursor(String sql) {
        List<Token> code = SqlTokenizer.forDialect(Dialect.POSTGRESQL).tokenize(sql).code();
        for (int i = code.size() - 1; i >= 0; i--) {
            Token t = code.get(i);
            if (t.isPunct(';')) {
                continue;
            }
            if (t.kind() == TokenKind.QUOTED_IDENTIFIER) {
                return t.value();
            }
            return t.kind() == TokenKind.WORD ? t.text().toLowerCase(Locale.ROOT) : null;
        }
        return null;
    }
}
