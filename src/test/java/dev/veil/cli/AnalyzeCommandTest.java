package dev.veil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
        // Read as JSON: the order of an origin's fields is the serializer's business.
        JsonNode analysis = new ObjectMapper().readTree(out.toString().strip());
        assertThat(analysis.path("analysed").asBoolean()).isTrue();
        JsonNode column = analysis.path("columns").get(0);
        assertThat(column.path("lineage").asText()).isEqualTo("known");
        assertThat(column.path("origins")).extracting(o -> o.path("column").asText() + (o.path("derived").asBoolean() ? " derived" : ""))
                .contains("public.customers.email derived", "public.customers.ssn derived");
    }
}
