package dev.veil.cli;

import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code veil analyze} reads statements from a file and prints their analyses against an upstream's catalog. */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class AnalyzeCommandTest {
    @Inject
    AnalyzeCommand command;

    @TempDir
    Path work;

    @Test
    void printsOneAnalysisPerStatementAgainstTheUpstreamCatalog() throws Exception {
        Path sql = work.resolve("statements.sql");
        Files.writeString(sql, "SELECT email FROM customers WHERE id = 1;\n-- a comment\nDELETE FROM orders WHERE id = 5;\n"
                + "SELECT * FROM no_such_table;\n");
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(out));
        int exit = cli.execute("--upstream", "main", "--database", "shop", sql.toString());
        assertThat(exit).isZero();
        String[] lines = out.toString().strip().split("\n");
        assertThat(lines).hasSize(3);
        assertThat(lines[0]).contains("\"kind\":\"READ\"").contains("\"analysed\":true").contains("public.customers.email");
        assertThat(lines[1]).contains("\"kind\":\"WRITE\"").contains("\"analysed\":true").contains("public.orders");
        // Not in the catalog: fails closed, with the reason.
        assertThat(lines[2]).contains("\"analysed\":false").contains("\"lineage\":\"unknown\"");
    }

    @Test
    void aWholeRowReferenceIsAnalysedWithEveryColumnOfTheRow() throws Exception {
        Path sql = work.resolve("whole-row.sql");
        Files.writeString(sql, "SELECT row_to_json(c) FROM customers c WHERE c.id = 1;\n");
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(out));
        int exit = cli.execute("--upstream", "main", "--database", "shop", sql.toString());
        assertThat(exit).isZero();
        String line = out.toString().strip();
        assertThat(line).contains("\"analysed\":true").contains("\"lineage\":\"known\"")
                .contains("{\"column\":\"public.customers.email\",\"derived\":true}")
                .contains("{\"column\":\"public.customers.ssn\",\"derived\":true}");
    }
}
