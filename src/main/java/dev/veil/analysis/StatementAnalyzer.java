package dev.veil.analysis;

import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.text.LexicalSettings;
import dev.veil.analysis.text.SqlTokenizer;
import dev.veil.analysis.text.StatementSplitter;
import dev.veil.analysis.text.StatementText;
import dev.veil.analysis.text.Tokens;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlParseException;

import java.util.ArrayList;
import java.util.List;

/**
 * Analyses one statement: our tokenizer prepares the text, Calcite parses it with the dialect's settings (and our
 * grammar extensions), validates it against the catalog snapshot and plans it, and the plan yields the lineage.
 * Every failure, of any kind, gives an {@link Analysis} that fails closed: Unknown lineage for every column, the
 * reason, and the kind and relations from the conservative token scan. So does a statement beyond the
 * {@link AnalysisLimits} (nested too deep or too long for Calcite, or taking too much CPU time), with a reason
 * naming the limit. Pure and thread-safe; the caller runs it off the event loop.
 */
public final class StatementAnalyzer {
    private final DialectProfile postgres = DialectProfile.of(Dialect.POSTGRESQL);
    private final DialectProfile mysql = DialectProfile.of(Dialect.MYSQL);
    /** The longest failure reason kept: Calcite's messages can quote the whole statement. */
    private static final int MAX_REASON = 300;
    /** Statements of one multi-statement text analysed one by one; beyond, the text is only unanalysed. */
    private static final int MAX_PARTS = 50;

    private final FallbackClassifier fallback;
    private final AnalysisLimits limits;

    public StatementAnalyzer(FallbackClassifier fallback, AnalysisLimits limits) {
        this.fallback = fallback;
        this.limits = limits;
    }

    public StatementAnalyzer(FallbackClassifier fallback) {
        this(fallback, AnalysisLimits.DEFAULTS);
    }

    /** With the token scan of the text package as fallback. */
    public StatementAnalyzer(AnalysisLimits limits) {
        this(new TokenScanFallback(), limits);
    }

    /** With the token scan of the text package as fallback and the default limits. */
    public StatementAnalyzer() {
        this(AnalysisLimits.DEFAULTS);
    }

    public Analysis analyze(Dialect dialect, CatalogSnapshot catalog, NameResolution names, String sql) {
        return analyze(LexicalSettings.defaults(dialect), catalog, names, sql);
    }

    /** With the session's lexical settings (standard_conforming_strings, NO_BACKSLASH_ESCAPES, ANSI_QUOTES). */
    public Analysis analyze(LexicalSettings settings, CatalogSnapshot catalog, NameResolution names, String sql) {
        return analyze(settings, catalog, names, sql, new SqlTokenizer(settings).tokenize(sql));
    }

    /** With {@code sql} already tokenized under {@code settings} (the cache's miss path), so it is not done twice. */
    public Analysis analyze(LexicalSettings settings, CatalogSnapshot catalog, NameResolution names, String sql,
                            Tokens tokens) {
        Deadline deadline = Deadline.after(limits.maxTime());
        Dialect dialect = settings.dialect();
        if (catalog.dialect() != dialect) {
            throw new IllegalArgumentException("a " + catalog.dialect() + " catalog cannot resolve " + dialect + " statements");
        }
        CalciteText text = CalciteText.of(dialect, settings, sql, tokens, catalog::hasColumnNamed, limits);
        String fingerprint = text.fingerprint().hex();
        if (text.problem().isPresent()) {
            return failed(dialect, sql, fingerprint, text.problem().get(), parts(settings, catalog, names, tokens));
        }
        try {
            Planner planner = new Planner(profile(dialect), catalog, names, deadline);
            SqlNode node = planner.parse(text.sql().orElseThrow());
            deadline.checkNow();
            AnalysisBuilder builder = new NodeAnalyzer(planner, catalog, names).analyze(node);
            SideEffects.raise(node, builder);
            return builder.build(dialect, fingerprint).withTags(catalog.tags());
        } catch (SqlParseException | RuntimeException | StackOverflowError | AssertionError e) {
            // Validation (CalciteContextException), conversion and planner errors alike: fail closed.
            return failed(dialect, sql, fingerprint, reason(e));
        }
    }

    /**
     * Why Calcite gave up, in one bounded line. Its parser turns a StackOverflowError into a SqlParseException
     * without a message, and the converter wraps it in a RuntimeException: the nesting limit above keeps
     * statements from getting there, and this names it if one does (a view's definition, another form).
     */
    private String reason(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof StackOverflowError) {
                return "statement nested deeper than Veil analyses (Calcite ran out of stack; limit "
                        + limits.maxDepth() + " levels; veil.analysis.max-depth)";
            }
            if (c instanceof Deadline.Exceeded) {
                return c.getMessage();
            }
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : firstLine(e.getMessage());
        String reason = (e instanceof SqlParseException ? "parse: " : "analysis: ") + message;
        return reason.length() <= MAX_REASON ? reason : reason.substring(0, MAX_REASON) + "…";
    }

    private Analysis failed(Dialect dialect, String sql, String fingerprint, String reason) {
        return failed(dialect, sql, fingerprint, reason, List.of());
    }

    private Analysis failed(Dialect dialect, String sql, String fingerprint, String reason, List<Analysis> parts) {
        FallbackClassifier.Fallback f = fallback.classify(dialect, sql);
        return Analysis.failed(dialect, f.kind(), f.relations(), fingerprint, reason, parts);
    }

    /**
     * The analyses of the statements of a multi-statement text, each on its own (the guardrails judge each; the
     * text as a whole stays unanalysed). Empty when the text is one statement, when a boundary is one the server
     * may draw differently (stored-program bodies, a ';' in a versioned comment), or past {@link #MAX_PARTS}.
     */
    private List<Analysis> parts(LexicalSettings settings, CatalogSnapshot catalog, NameResolution names, Tokens tokens) {
        if (tokens.malformed()) {
            return List.of();
        }
        List<StatementText> statements = StatementSplitter.split(tokens).stream().filter(s -> !s.code().isEmpty()).toList();
        if (statements.size() < 2 || statements.size() > MAX_PARTS
                || statements.stream().anyMatch(s -> s.boundaryUncertain() || s.compoundBody())) {
            return List.of();
        }
        List<Analysis> parts = new ArrayList<>(statements.size());
        for (StatementText s : statements) {
            parts.add(analyze(settings, catalog, names, s.sql()));
        }
        return parts;
    }

    private DialectProfile profile(Dialect dialect) {
        return dialect == Dialect.POSTGRESQL ? postgres : mysql;
    }

    private static String firstLine(String message) {
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
