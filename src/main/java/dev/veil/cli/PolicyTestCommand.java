package dev.veil.cli;

import dev.veil.analysis.Analysis;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.NameResolution;
import dev.veil.analysis.StatementAnalyzer;
import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.config.VeilConfig;
import dev.veil.policy.Decision;
import dev.veil.policy.PolicyEngine;
import dev.veil.policy.PolicySet;
import dev.veil.policy.trial.DatabaseUser;
import dev.veil.policy.trial.PolicyTrial;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/**
 * {@code veil policy test FILE CASES}: each case's statement decided under the policy file as Veil would decide
 * it, compared with the expected outcome (and rule). Offline: statements are analysed without a database, against
 * the tables the cases file declares, or without a catalog at all. Exit 0 when every case passes, 1 when any
 * fails, 2 when the policy or cases file cannot be used.
 */
@CommandLine.Command(name = "test", mixinStandardHelpOptions = true,
        description = "Decide each case of CASES under the policy FILE and compare with the expected outcome; "
                + "exit 0 all pass, 1 some fail, 2 a file cannot be used.")
public class PolicyTestCommand implements Callable<Integer> {
    private final VeilConfig config;

    @CommandLine.Parameters(index = "0", paramLabel = "FILE", description = "The policy file") Path policyFile;
    @CommandLine.Parameters(index = "1", paramLabel = "CASES", description = "The cases file (YAML; docs/policy.md)") Path casesFile;
    @CommandLine.Option(names = "--environment", description = "veil.environment of the Veil the policy is for (default: the "
            + "cases file's environment, else the one the policy file names, else veil.environment)") String environment;
    @CommandLine.Option(names = "--quiet", description = "Print only the failing cases and the summary") boolean quiet;
    @CommandLine.Option(names = "--read-only-roles", split = ",", paramLabel = "ROLE", description = "Roles whose database "
            + "user is read-only (default: those of veil.upstreams.*.role-users with read-only set); a case's "
            + "read-only-roles replaces it") List<String> readOnlyRoles;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public PolicyTestCommand(VeilConfig config) {
        this.config = config;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PolicyCases cases;
        PolicySet policy;
        try {
            cases = PolicyCases.read(CandidatePolicy.text(casesFile, "cases file"), casesFile.toString());
            policy = CandidatePolicy.load(policyFile, environment != null ? environment : cases.environment(),
                    config.environment());
        } catch (CandidatePolicy.Unusable | PolicyCases.Problem e) {
            err.println(e.getMessage());
            err.flush();
            return 2;
        }
        StatementAnalyzer analyzer = new StatementAnalyzer();
        int failed = 0;
        for (PolicyCases.Case c : cases.cases()) {
            PolicyEngine engine = PolicyEngine.builtIn(c.time() == null ? Clock.systemUTC() : Clock.fixed(c.time(), ZoneOffset.UTC));
            engine.install(policy);
            CatalogSnapshot catalog = catalog(cases, c);
            String db = c.database() != null ? c.database() : catalog.database();
            NameResolution names = c.dialect() == Dialect.POSTGRESQL ? NameResolution.postgres(db) : NameResolution.mysql(db);
            DatabaseUser user = DatabaseUser.offline(c.asker().sessionRoles(policy),
                    c.readOnlyRoles() != null ? c.readOnlyRoles() : readOnlyRoles());
            PolicyTrial.Verdict v = new PolicyTrial(engine).decide(c.dialect(), c.database(), c.asker().facts(user.readOnly()),
                    c.sql(), sql -> analyse(analyzer, c.dialect(), catalog, names, sql));
            Decision d = v.decision();
            String got = PolicyTrial.verdict(d);
            long ceiling = d instanceof Decision.Allow allow && allow.ceiling() != null ? allow.ceiling().maxRows() : PolicyCases.NO_CEILING;
            boolean pass = got.equals(c.expect()) && (c.rule() == null || c.rule().equals(d.rule()))
                    && (c.databaseUser() == null || c.databaseUser().equals(user.access()))
                    && (c.ceiling() == null || c.ceiling() == ceiling);
            if (!pass) {
                failed++;
                out.printf("FAIL %s: expected %s%s%s, got %s by rule %s%s%n", c.label(), c.expect(),
                        c.rule() == null ? "" : " by rule " + c.rule(), expected(c), got, d.rule(), facts(user, ceiling));
                String reason = PolicyTrial.reason(d);
                if (reason != null) {
                    out.println("     " + reason);
                }
                if (!v.analysis().analysed()) {
                    out.println("     (not analysed: " + v.analysis().failure().orElse("") + ")");
                }
            } else if (!quiet) {
                out.printf("pass %s: %s by rule %s%s%n", c.label(), got, d.rule(), facts(user, ceiling));
            }
            if (!pass || !quiet) {
                partsDecidedOtherwise(out, v);
            }
        }
        int n = cases.cases().size();
        out.printf("%d case(s): %d passed, %d failed; policy %s version %s, environment %s; %s%n", n, n - failed, failed,
                policyFile, policy.version(), policy.environment().name(), cases.catalogs().isEmpty()
                        ? "analysed without a catalog (statement.analysed is false; kind and relations from the token scan)"
                        : "analysed against the cases file's tables");
        out.flush();
        return failed == 0 ? 0 : 1;
    }

    /** The roles whose database user is read-only: --read-only-roles, else the configuration's read-only role users. */
    private List<String> readOnlyRoles() {
        if (readOnlyRoles != null) {
            return readOnlyRoles;
        }
        Set<String> roles = new TreeSet<>();
        config.upstreams().values().forEach(u -> u.roleUsers().forEach((role, user) -> {
            if (user.readOnly()) {
                roles.add(role);
            }
        }));
        return List.copyOf(roles);
    }

    private static String expected(PolicyCases.Case c) {
        return (c.databaseUser() == null ? "" : ", database user " + c.databaseUser())
                + (c.ceiling() == null ? "" : c.ceiling() == PolicyCases.NO_CEILING ? ", no ceiling" : ", ceiling " + c.ceiling());
    }

    /** What the pipeline would add to the verdict: a read-only database user, an affected-rows ceiling. */
    private static String facts(DatabaseUser user, long ceiling) {
        return (user.readOnly() ? ", database user read-only (role " + user.role() + ")" : ", database user read-write")
                + (ceiling == PolicyCases.NO_CEILING ? "" : ", affected-rows ceiling " + ceiling);
    }

    /** A text of several statements is decided whole; say which statement alone would be decided otherwise. */
    private static void partsDecidedOtherwise(PrintWriter out, PolicyTrial.Verdict v) {
        if (v.statements().size() < 2) {
            return;
        }
        for (PolicyTrial.Part p : v.statements()) {
            Decision alone = p.decision();
            if (!PolicyTrial.verdict(alone).equals(PolicyTrial.verdict(v.decision())) || !alone.rule().equals(v.decision().rule())) {
                out.printf("     note: the text is decided whole; its statement %d alone (%s) would be %s by rule %s%n",
                        p.index() + 1, p.sql(), PolicyTrial.verdict(alone), alone.rule());
            }
        }
    }

    private static CatalogSnapshot catalog(PolicyCases cases, PolicyCases.Case c) {
        CatalogSnapshot declared = cases.catalogs().get(c.dialect());
        if (declared != null) {
            return declared;
        }
        return CatalogSnapshot.builder(c.dialect(), c.database() == null ? "" : c.database()).build();
    }

    private static Analysis analyse(StatementAnalyzer analyzer, Dialect dialect, CatalogSnapshot catalog, NameResolution names,
                                    String sql) {
        return analyzer.analyze(dialect, catalog, names, sql);
    }
}
