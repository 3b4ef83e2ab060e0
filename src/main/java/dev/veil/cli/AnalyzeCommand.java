package dev.veil.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.admin.AnalysisJson;
import dev.veil.analysis.Analysis;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.text.LexicalSettings;
import dev.veil.analysis.text.SqlTokenizer;
import dev.veil.analysis.text.StatementSplitter;
import dev.veil.analysis.text.StatementText;
import dev.veil.config.EndpointTlsMode;
import dev.veil.demo.DemoMode;
import dev.veil.session.StatementAnalysis;
import dev.veil.upstream.UpstreamRegistry;
import dev.veil.upstream.UpstreamSettings;
import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code veil analyze}: the analysis of every statement in a file (or stdin), one JSON object per line, as
 * {@code POST /api/v1/analyze} returns it. With an upstream configured, against its catalog; with none configured
 * (demo mode), against the catalog of the demo that {@code make run} serves; without a catalog to read, every
 * statement fails closed (kind from the token scan, lineage unknown).
 */
@CommandLine.Command(name = "analyze", mixinStandardHelpOptions = true,
        description = "Analyse SQL statements (kind, relations, column lineage) as Veil does before forwarding them.")
public class AnalyzeCommand implements Callable<Integer> {
    private final StatementAnalysis analysis;
    private final UpstreamRegistry upstreams;
    private final DemoMode demo;

    @CommandLine.Option(names = "--dialect", defaultValue = "postgresql", description = "postgresql or mysql (default ${DEFAULT-VALUE})")
    String dialect;

    @CommandLine.Option(names = "--upstream", description = "Configured upstream whose catalog to use (default: the only one of the dialect)")
    String upstream;

    @CommandLine.Option(names = "--database", description = "Database (PostgreSQL) or schema (MySQL) to resolve names in (default: the upstream's)")
    String database;

    @CommandLine.Parameters(arity = "0..1", paramLabel = "FILE", description = "SQL file; standard input when absent")
    Path file;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public AnalyzeCommand(StatementAnalysis analysis, UpstreamRegistry upstreams, DemoMode demo) {
        this.analysis = analysis;
        this.upstreams = upstreams;
        this.demo = demo;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Dialect d = Dialect.valueOf(dialect.toUpperCase(Locale.ROOT));
        String sql;
        try (InputStream in = file == null ? System.in : Files.newInputStream(file)) {
            sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        UpstreamSettings u = upstream(d);
        if (u.host() == null) {
            err.println("no " + dialect + " upstream configured: analysing without a catalog (every statement fails closed)");
        } else if (usesDemo() && !answers(u)) {
            err.printf("the demo's %s upstream %s (%s:%d) does not answer: start the demo with `make run`, or configure "
                    + "an upstream; analysing without a catalog (every statement fails closed)%n", dialect, u.name(), u.host(), u.port());
        }
        // Names resolve in the upstream's own database unless another is asked for (the demo: shop).
        String names = database != null ? database : u.defaultDatabase();
        LexicalSettings lexical = LexicalSettings.defaults(d);
        ObjectMapper json = new ObjectMapper();
        List<StatementText> statements = StatementSplitter.split(new SqlTokenizer(lexical).tokenize(sql));
        for (StatementText st : statements) {
            if (st.code().isEmpty()) {
                continue;
            }
            Analysis a = analysis.analyze(u, names, lexical, null, st.sql()).toCompletionStage().toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("statement", st.sql().strip());
            line.putAll(AnalysisJson.of(a));
            out.println(json.writeValueAsString(line));
        }
        out.flush();
        return 0;
    }

    /** No upstream configured and demo mode on: the tool reads the catalogs of the demo running beside it. */
    private boolean usesDemo() {
        return upstreams.all().isEmpty() && demo.enabled();
    }

    private List<UpstreamSettings> known() {
        return usesDemo() ? demo.upstreamsOfARunningDemo() : List.copyOf(upstreams.all());
    }

    private static boolean answers(UpstreamSettings u) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(u.host(), u.port()), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private UpstreamSettings upstream(Dialect d) {
        if (upstream != null) {
            return known().stream().filter(u -> u.name().equals(upstream)).findFirst()
                    .orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(),
                            "no upstream named " + upstream + " is configured"));
        }
        List<UpstreamSettings> of = known().stream().filter(u -> d == Dialect.POSTGRESQL
                ? u.kind().equals("postgresql") : !u.kind().equals("postgresql")).toList();
        if (of.size() == 1) {
            return of.get(0);
        }
        return withoutCatalog(d);
    }

    /** No catalog to read: a placeholder upstream whose catalog load fails, so analyses fail closed. */
    static UpstreamSettings withoutCatalog(Dialect d) {
        return new UpstreamSettings("(none)", d == Dialect.POSTGRESQL ? "postgresql" : "mysql", null, 0, "", null, null,
                new UpstreamSettings.TlsSettings(EndpointTlsMode.DISABLE, null),
                new UpstreamSettings.PoolSettings(0, 1, Duration.ofMinutes(1), Duration.ofSeconds(1),
                        Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofMinutes(1)));
    }
}
