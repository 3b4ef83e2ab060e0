package dev.veil.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.admin.CatalogJson;
import dev.veil.analysis.Dialect;
import dev.veil.config.VeilConfig;
import dev.veil.demo.DemoMode;
import dev.veil.policy.TagRules;
import dev.veil.upstream.UpstreamRegistry;
import dev.veil.upstream.UpstreamSettings;
import dev.veil.upstream.catalog.CatalogRegistry;
import dev.veil.upstream.catalog.LoadedCatalog;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code veil catalog}: the columns of a database with their classification (tags, confidence, evidence), as
 * {@code GET /api/v1/catalog} shows them. Like {@code veil analyze}, it reads the catalog itself: from the
 * configured upstream, or the demo that {@code make run} serves; values are sampled as a running Veil samples
 * them, and the tags section of the policy file (--policy, or veil.policy.file) is applied.
 */
@CommandLine.Command(name = "catalog", mixinStandardHelpOptions = true,
        description = "Show the classification of a database's columns (tags, confidence, evidence).")
public class CatalogCommand implements Callable<Integer> {
    private final CatalogRegistry catalogs;
    private final UpstreamRegistry upstreams;
    private final DemoMode demo;
    private final VeilConfig config;

    @CommandLine.Option(names = "--dialect", defaultValue = "postgresql", description = "postgresql or mysql (default ${DEFAULT-VALUE})")
    String dialect;

    @CommandLine.Option(names = "--upstream", description = "Configured upstream to read (default: the only one of the dialect)")
    String upstream;

    @CommandLine.Option(names = "--database", description = "Database to read (default: the upstream's)")
    String database;

    @CommandLine.Option(names = "--policy", paramLabel = "FILE", description = "Policy file whose tags section applies (default: veil.policy.file)")
    Path policy;

    @CommandLine.Option(names = "--all", description = "List every column, not only tagged ones")
    boolean all;

    @CommandLine.Option(names = "--json", description = "Print the JSON of GET /api/v1/catalog instead of a table")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public CatalogCommand(CatalogRegistry catalogs, UpstreamRegistry upstreams, DemoMode demo, VeilConfig config) {
        this.catalogs = catalogs;
        this.upstreams = upstreams;
        this.demo = demo;
        this.config = config;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Dialect d;
        try {
            d = Dialect.valueOf(dialect.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--dialect is postgresql or mysql");
        }
        UpstreamSettings u = upstream(d);
        if (u == null) {
            err.println("no " + dialect + " upstream to read: configure one (veil.upstreams), name it with --upstream, "
                    + "or start the demo with `make run`");
            return 2;
        }
        TagRules tags = TagRules.NONE;
        Path file = policy != null ? policy : config.policy().file().map(Path::of).orElse(null);
        if (file != null) {
            try {
                tags = CandidatePolicy.load(file, null, config.environment()).tags();
            } catch (CandidatePolicy.Unusable e) {
                err.println(e.getMessage());
                return 2;
            }
        }
        String db = database != null ? database : u.defaultDatabase();
        LoadedCatalog loaded;
        try {
            loaded = catalogs.classified(u, db).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            err.println("the catalog of " + u.name() + "/" + db + " cannot be read (" + u.host() + ":" + u.port() + "): "
                    + cause.getMessage());
            return 1;
        }
        Map<String, Object> catalog = CatalogJson.of(u.name(), db, loaded.snapshot(), null, tags);
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(Map.of("catalogs", List.of(catalog))));
        } else {
            print(out, catalog);
        }
        out.flush();
        return 0;
    }

    @SuppressWarnings("unchecked")
    private void print(PrintWriter out, Map<String, Object> catalog) {
        out.printf("%s/%s (%s)%n", catalog.get("upstream"), catalog.get("database"), catalog.get("dialect"));
        for (Map<String, Object> r : (List<Map<String, Object>>) catalog.get("relations")) {
            for (Map<String, Object> c : (List<Map<String, Object>>) r.get("columns")) {
                List<Map<String, Object>> t = (List<Map<String, Object>>) c.get("tags");
                String column = r.get("schema") + "." + r.get("name") + "." + c.get("name");
                if (t.isEmpty()) {
                    if (all) {
                        out.printf("  %-40s -%n", column);
                    }
                    continue;
                }
                for (Map<String, Object> tag : t) {
                    out.printf("  %-40s %-14s %.2f  %s%n", column, tag.get("tag"), (Double) tag.get("confidence"),
                            String.join("; ", (List<String>) tag.get("evidence")));
                    column = "";
                }
            }
        }
    }

    private UpstreamSettings upstream(Dialect d) {
        List<UpstreamSettings> known = upstreams.all().isEmpty() && demo.enabled() ? demo.upstreamsOfARunningDemo()
                : List.copyOf(upstreams.all());
        if (upstream != null) {
            return known.stream().filter(x -> x.name().equals(upstream)).findFirst()
                    .orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(),
                            "no upstream named " + upstream + " is configured"));
        }
        List<UpstreamSettings> of = known.stream().filter(x -> d == Dialect.POSTGRESQL
                ? x.kind().equals("postgresql") : !x.kind().equals("postgresql")).toList();
        return of.size() == 1 ? of.get(0) : null;
    }
}
