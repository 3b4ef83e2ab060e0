package dev.veil.analysis;

import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.text.LexicalSettings;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

class ScratchProbeTest {
    @Test
    void probe() throws Exception {
        for (String line : Files.readAllLines(Path.of("/tmp/probe.sql"))) {
            if (line.isBlank()) continue;
            Dialect d = line.startsWith("my:") ? Dialect.MYSQL : Dialect.POSTGRESQL;
            String sql = line.substring(3);
            CatalogSnapshot cat = CorpusCatalog.of(d);
            NameResolution names = d == Dialect.POSTGRESQL ? NameResolution.postgres("shop") : NameResolution.mysql("shop");
            CalciteText text = CalciteText.of(d, LexicalSettings.defaults(d), sql);
            System.out.println("=== " + sql + "\n  -> " + text.sql().orElse("?") + " " + text.problem().orElse(""));
            try {
                Planner planner = new Planner(DialectProfile.of(d), cat, names);
                var node = planner.parse(text.sql().orElseThrow());
                AnalysisBuilder b = new NodeAnalyzer(planner, cat, names).analyze(node);
                System.out.println("  OK " + b.build(d, "x"));
            } catch (Throwable e) {
                System.out.println("  FAIL " + e);
                StackTraceElement[] st = e.getStackTrace();
                for (int i = 0; i < Math.min(12, st.length); i++) System.out.println("    at " + st[i]);
            }
        }
    }
}
