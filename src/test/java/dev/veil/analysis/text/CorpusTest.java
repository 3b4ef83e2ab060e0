package dev.veil.analysis.text;

import dev.veil.analysis.Dialect;
import dev.veil.analysis.StatementKind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The corpus against the text layer: format, splitting, conservative kinds, fingerprint stability. */
class CorpusTest {

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void holdsAtLeast330StatementsPerDialect(Dialect dialect) {
        assertThat(Corpus.load(dialect)).hasSizeGreaterThanOrEqualTo(330);
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void everyEntryTokenizesCleanlyAndSplitsIntoExactlyOneStatement(Dialect dialect) {
        List<String> problems = new ArrayList<>();
        for (Corpus.Entry e : Corpus.load(dialect)) {
            Tokens tokens = SqlTokenizer.forDialect(dialect).tokenize(e.sql());
            List<StatementText> statements = StatementSplitter.split(tokens);
            if (tokens.malformed()) {
                problems.add(e + " -> " + tokens.problems());
            } else if (statements.size() != 1) {
                problems.add(e + " -> " + statements.size() + " statements");
            } else if (statements.get(0).boundaryUncertain()) {
                problems.add(e + " -> uncertain boundary");
            }
        }
        assertThat(problems).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void conservativeKindIsNeverLessDangerousThanTheExpectedKind(Dialect dialect) {
        List<String> underReported = new ArrayList<>();
        Map<String, int[]> perCategory = new TreeMap<>();
        int agreed = 0;
        List<Corpus.Entry> entries = Corpus.load(dialect);
        for (Corpus.Entry e : entries) {
            StatementKind scanned = ConservativeScan.scan(SqlTokenizer.forDialect(dialect).tokenize(e.sql())).kind();
            int[] counts = perCategory.computeIfAbsent(e.category(), k -> new int[2]);
            counts[1]++;
            if (scanned == e.expectedKind()) {
                counts[0]++;
                agreed++;
            }
            if (!DangerOrder.atLeast(scanned, e.expectedKind())) {
                underReported.add(e + " -> expected " + e.expectedKind() + ", scanned " + scanned);
            }
        }
        StringBuilder summary = new StringBuilder(String.format("%n%s conservative scan, exact kind agreement %d/%d%n",
                dialect, agreed, entries.size()));
        perCategory.forEach((category, c) -> summary.append(String.format("  %-16s %3d/%3d%n", category, c[0], c[1])));
        System.out.print(summary);
        assertThat(underReported).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void fingerprintsAreStableUnderLayoutCommentAndLiteralChanges(Dialect dialect) {
        List<String> unstable = new ArrayList<>();
        for (Corpus.Entry e : Corpus.load(dialect)) {
            SqlTokenizer tokenizer = SqlTokenizer.forDialect(dialect);
            Tokens tokens = tokenizer.tokenize(e.sql());
            Fingerprint original = Fingerprinter.fingerprint(tokens);
            Fingerprint again = Fingerprinter.fingerprint(tokenizer.tokenize(e.sql()));
            Fingerprint relaid = Fingerprinter.fingerprint(tokenizer.tokenize(Mutations.relayout(tokens)));
            Fingerprint otherLiterals = Fingerprinter.fingerprint(tokenizer.tokenize(Mutations.otherLiterals(tokens)));
            if (!original.equals(again) || !original.equals(relaid) || !original.equals(otherLiterals)) {
                unstable.add(e + "\n  " + original.normalized() + "\n  " + relaid.normalized() + "\n  "
                        + otherLiterals.normalized());
            }
        }
        assertThat(unstable).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void distinctNormalisedTextsNeverShareAHash(Dialect dialect) {
        Map<Long, String> byHash = new HashMap<>();
        List<String> collisions = new ArrayList<>();
        for (Corpus.Entry e : Corpus.load(dialect)) {
            Fingerprint f = Fingerprinter.fingerprint(SqlTokenizer.forDialect(dialect).tokenize(e.sql()));
            String previous = byHash.putIfAbsent(f.hash(), f.normalized());
            if (previous != null && !previous.equals(f.normalized())) {
                collisions.add(previous + " / " + f.normalized());
            }
        }
        assertThat(collisions).isEmpty();
        assertThat(byHash.size()).isGreaterThan(Corpus.load(dialect).size() * 9 / 10);
    }
}
