package dev.veil.analysis;

import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.text.LexicalSettings;
import dev.veil.analysis.text.SqlTokenizer;
import dev.veil.analysis.text.Tokens;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlParseException;

/**
 * Analyses one statement: our tokenizer prepares the text, Calcite parses it with the dialect's settings (and our
 * grammar extensions), validates it against the catalog snapshot and plans it, and the plan yields the lineage.
 * Every failure, of any kind, gives an {@link Analysis} that fails closed: Unknown lineage for every column, the
 * reason, and the kind and relations from the conservative token scan. Pure and thread-safe; the caller runs it
 * off the event loop.
 */
public final class StatementAnalyzer {
    private final DialectProfile postgres = DialectProfile.of(Dialect.POSTGRESQL);
    private final DialectProfile mysql = DialectProfile.of(Dialect.MYSQL);
    private final FallbackClassifier fallback;

    public StatementAnalyzer(FallbackClassifier fallback) {
        this.fallback = fallback;
    }

    /** With the token scan of the text package as fallback. */
    public StatementAnalyzer() {
        this(new TokenScanFallback());
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
        Dialect dialect = settings.dialect();
        if (catalog.dialect() != dialect) {
            throw new IllegalArgumentException("a " + catalog.dialect() + " catalog cannot resolve " + dialect + " statements");
        }
        CalciteText text = CalciteText.of(dialect, settings, sql, tokens, catalog::hasColumnNamed);
        String fingerprint = text.fingerprint().hex();
        if (text.problem().isPresent()) {
            return failed(dialect, sql, fingerprint, text.problem().get());
        }
        try {
            Planner planner = new Planner(profile(dialect), catalog, names);
            SqlNode node = planner.parse(text.sql().orElseThrow());
            AnalysisBuilder builder = new NodeAnalyzer(planner, catalog, names).analyze(node);
            SideEffects.raise(node, builder);
            return builder.build(dialect, fingerprint);
        } catch (SqlParseException e) {
            return failed(dialect, sql, fingerprint, "parse: " + firstLine(e.getMessage()));
        } catch (RuntimeException | StackOverflowError | AssertionError e) {
            // Validation (CalciteContextException), conversion and planner errors alike: fail closed.
            return failed(dialect, sql, fingerprint, "analysis: " + firstLine(String.valueOf(e.getMessage())));
        }
    }

    private Analysis failed(Dialect dialect, String sql, String fingerprint, String reason) {
        FallbackClassifier.Fallback f = fallback.classify(dialect, sql);
        return Analysis.failed(dialect, f.kind(), f.relations(), fingerprint, reason);
    }

    private DialectProfile profile(Dialect dialect) {
        return dialect == Dialect.POSTGRESQL ? postgres : mysql;
    }

    private static String firstLine(String message) {
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
