package dev.veil.masking.leak;

import dev.veil.analysis.Dialect;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The leak suite (issue 15, item 9), one contract for both wires: canaries seeded into the sensitive columns of the
 * real PostgreSQL and MariaDB behind a real Veil under the demo policy; 300+ evasion queries (leak-cases.txt) run
 * by the masked roles in every driver mode (text, binary, server-side statements, portals and cursor fetch) and
 * through psql and the mariadb client; a recording forwarder between client and Veil keeps every byte Veil sends,
 * and no canary may be among them in any form the scanner knows. A refusal (42501, errno 1142) is fine; the masked
 * baseline query must still return its rows. The same queries for admin are the positive control: the scanner
 * must find the canaries there, in each of its forms, and nothing in the shop's own data.
 */
@Tag("servers")
@QuarkusTest
@TestProfile(MaskingLeakTestProfile.class)
@QuarkusTestResource(VeilTestResource.class)
class MaskingLeakTest {
    private static final CanaryScanner SCANNER = new CanaryScanner(Canaries.secrets(), Canaries.CUSTOMERS);

    private static LeakWire wire(Dialect dialect) {
        return dialect == Dialect.POSTGRESQL ? new PgLeakWire() : new MySqlLeakWire();
    }

    @BeforeAll
    static void seedCanariesAndTheSink() throws Exception {
        for (Dialect dialect : Dialect.values()) {
            LeakWire wire = wire(dialect);
            try (Connection root = wire.superuser()) {
                Canaries.seed(dialect, root);
                wire.dropLeftovers(root);
            }
            // through Veil, so that its catalog is read again after the DDL and knows the sink
            try (RecordingForwarder direct = new RecordingForwarder(wire.veilPort());
                 Connection admin = wire.connect(wire.modes().get(0), direct.port(), VeilTestResource.ADMIN_USER,
                         VeilTestResource.ADMIN_PASSWORD); Statement st = admin.createStatement()) {
                st.execute(wire.sinkDdl());
                st.execute("SELECT 1");
            }
        }
    }

    @AfterAll
    static void removeCanaries() throws Exception {
        for (Dialect dialect : Dialect.values()) {
            LeakWire wire = wire(dialect);
            try (Connection root = wire.superuser(); Statement st = root.createStatement()) {
                wire.dropLeftovers(root);
                st.execute("DROP TABLE IF EXISTS leak_sink");
                Canaries.remove(dialect, root);
            }
        }
    }

    private static Map<String, LeakRun.Account> admin() {
        LeakRun.Account admin = new LeakRun.Account(VeilTestResource.ADMIN_USER, VeilTestResource.ADMIN_PASSWORD);
        return Map.of("analyst", admin, "engineer", admin);
    }

    private static Map<String, LeakRun.Account> masked() {
        return Map.of("analyst", new LeakRun.Account(VeilTestResource.READER, VeilTestResource.READER_PASSWORD),
                "engineer", new LeakRun.Account(VeilTestResource.WRITER, VeilTestResource.WRITER_PASSWORD));
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void noCanaryReachesAMaskedRoleWhileAdminSeesThemAll(Dialect dialect) throws Exception {
        LeakWire wire = wire(dialect);
        List<LeakCases.Case> cases = LeakCases.of(dialect);
        assertThat(cases).hasSizeGreaterThanOrEqualTo(180);
        SoftAssertions soft = new SoftAssertions();
        try (RecordingForwarder forwarder = new RecordingForwarder(wire.veilPort())) {
            LeakRun run = new LeakRun(wire, forwarder, SCANNER);
            // Negative control: the shop's own data, every column, holds no canary form (no false alarms).
            List<LeakCases.Case> shopOnly = List.of(
                    new LeakCases.Case(0, "shop data", "analyst", List.of("SELECT * FROM customers WHERE id < 990000"), false),
                    new LeakCases.Case(0, "shop data", "analyst", List.of("SELECT * FROM orders"), false));
            for (LeakRun.Outcome o : run.run(shopOnly, admin())) {
                soft.assertThat(o.found()).as("the scanner finds canaries in the shop's own data: " + o).isEmpty();
                soft.assertThat(o.rows()).as(o.toString()).isGreaterThan(999);
            }

            // Positive control: admin sees the canaries, in every form the scanner looks for that a case produces.
            List<LeakRun.Outcome> clear = run.run(cases, admin());
            Set<String> secretsSeen = new TreeSet<>();
            Set<String> formsSeen = new TreeSet<>();
            for (LeakRun.Outcome o : clear) {
                for (String f : o.found()) {
                    secretsSeen.add(f.substring(0, f.indexOf(' ')));
                    formsSeen.add(f.substring(f.indexOf(' ') + 1).replaceFirst("^hidden ", ""));
                }
            }
            soft.assertThat(secretsSeen).as("canaries the scanner found for admin").hasSize(Canaries.secrets().size()
                    + Canaries.CUSTOMERS.size());
            soft.assertThat(formsSeen).as("forms the scanner recognised for admin").containsAll(expectedForms(dialect));
            long clearWithCanaries = clear.stream().filter(o -> !o.found().isEmpty()).count();
            soft.assertThat(clearWithCanaries).as("admin's answers holding canaries").isGreaterThan(clear.size() / 2);

            try (Connection root = wire.superuser()) {
                wire.dropLeftovers(root); // what admin's write cases copied must not count against the masked roles
                Canaries.seed(dialect, root);
            }

            List<LeakRun.Outcome> maskedRuns = run.run(cases, masked());
            Map<String, LeakRun.Outcome> clearByKey = new HashMap<>();
            clear.forEach(o -> clearByKey.put(o.mode() + "#" + o.c().line(), o));
            List<String> leaks = new ArrayList<>();
            List<String> unmasked = new ArrayList<>();
            for (LeakRun.Outcome o : maskedRuns) {
                if (!o.found().isEmpty()) {
                    leaks.add(o + " LEAKED " + o.found().stream().limit(6).collect(Collectors.joining(", "))
                            + (o.found().size() > 6 ? " …" : ""));
                }
                LeakRun.Outcome admin = clearByKey.get(o.mode() + "#" + o.c().line());
                if (o.c().mustDiffer() && o.answered() && admin != null && admin.answered() && !admin.values().isEmpty()
                        && o.values().equals(admin.values())) {
                    unmasked.add(o + " answered exactly as admin: " + o.values().stream().limit(3).toList());
                }
            }
            for (String mode : wire.modes()) {
                LeakRun.Outcome baseline = maskedRuns.stream().filter(o -> o.mode().equals(mode)).findFirst().orElseThrow();
                soft.assertThat(baseline.answered()).as("the masked baseline query is answered: " + baseline).isTrue();
                soft.assertThat(baseline.rows()).as("the masked baseline query returns the canaries' rows: " + baseline)
                        .isEqualTo(Canaries.CUSTOMERS.size());
            }
            System.out.println(report(dialect, cases, maskedRuns, leaks, unmasked));
            soft.assertThat(leaks).as("canaries that reached a masked role (%d forms scanned)", SCANNER.forms()).isEmpty();
            soft.assertThat(unmasked).as("masked answers equal to admin's").isEmpty();
        }
        soft.assertAll();
    }

    /** The forms admin's answers must show: each is produced by at least one case of the dialect. */
    private static List<String> expectedForms(Dialect dialect) {
        List<String> common = List.of("raw", "upper", "reversed", "digits", "hex", "HEX", "MD5 hex", "uuuu-MM-dd",
                "dd/MM/uuuu", "uuuuMMdd", "base64@0", "base64@1", "base64@2");
        List<String> more = new ArrayList<>(common);
        more.addAll(dialect == Dialect.POSTGRESQL
                ? List.of("SHA-512 base64")
                : List.of("SHA-1 hex", "SHA-256 hex", "SHA-512 hex", "MD5 HEX", "SHA-256 base64"));
        return more;
    }

    private static String report(Dialect dialect, List<LeakCases.Case> cases, List<LeakRun.Outcome> runs, List<String> leaks,
                                 List<String> unmasked) {
        long refused = runs.stream().filter(LeakRun.Outcome::refused).count();
        long answered = runs.stream().filter(LeakRun.Outcome::answered).count();
        long failed = runs.size() - refused - answered;
        StringBuilder b = new StringBuilder("\n=== leak suite, " + dialect + ": " + cases.size() + " cases, " + runs.size()
                + " runs over the driver modes: " + refused + " refused, " + answered + " answered, " + failed
                + " failed in the server; " + leaks.size() + " leaked, " + unmasked.size() + " unmasked ===\n");
        leaks.forEach(l -> b.append("LEAK ").append(l).append('\n'));
        unmasked.forEach(l -> b.append("UNMASKED ").append(l).append('\n'));
        runs.stream().filter(o -> !o.refused() && !o.answered()).forEach(o -> b.append("failed ").append(o).append('\n'));
        return b.toString();
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void theCommandLineClientGetsNoCanaryEitherButAdminsDoes(Dialect dialect) throws Exception {
        LeakWire wire = wire(dialect);
        Path client = executable(wire.cliName());
        Assumptions.assumeTrue(client != null, wire.cliName() + " is not installed here (.ci/run installs it)");
        // the analyst's cases that a client runs as typed (prepared ones are the drivers'), COPY through psql's \copy
        List<String> steps = new ArrayList<>();
        for (LeakCases.Case c : LeakCases.of(dialect)) {
            if (c.role().equals("analyst") && c.steps().stream().noneMatch(s -> s.startsWith("prep:"))) {
                steps.addAll(c.steps());
                steps.add("ROLLBACK");
            }
        }
        try (RecordingForwarder forwarder = new RecordingForwarder(wire.veilPort())) {
            String output = runClient(wire, client, forwarder.port(), VeilTestResource.READER, VeilTestResource.READER_PASSWORD,
                    steps);
            List<String> found = SCANNER.find(forwarder.drain());
            assertThat(output).as("the baseline's rows came back").contains("@example.org");
            String adminOutput = runClient(wire, client, forwarder.port(), VeilTestResource.ADMIN_USER,
                    VeilTestResource.ADMIN_PASSWORD, List.of(LeakCases.of(dialect).get(0).sql()));
            assertThat(SCANNER.find(forwarder.drain())).as("admin's answer, through the client: " + adminOutput)
                    .contains("990001.email raw", "990004.card_number raw");
            assertThat(found).as("canaries the " + wire.cliName() + " client got as analyst (" + steps.size() + " statements)")
                    .isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void theReadmeTourShowsCustomerOneMaskedForAnalystAndClearForAdmin(Dialect dialect) throws Exception {
        String sql = "SELECT email, phone, ssn, card_number, birth_date FROM customers WHERE id = 1";
        String url = dialect == Dialect.POSTGRESQL ? VeilTestResource.veilUrl("shop", "") : VeilTestResource.veilMariadbUrl("shop", "");
        assertThat(firstRow(url, VeilTestResource.READER, VeilTestResource.READER_PASSWORD, sql)).containsExactly(
                "xxxxxxxxxxxx@gmail.com", "xxxxxxxxxxx0124", "xxxxxxx1066", "xxxxxxxxxxxx0128", "1993-01-01");
        assertThat(firstRow(url, VeilTestResource.ADMIN_USER, VeilTestResource.ADMIN_PASSWORD, sql)).containsExactly(
                "jose.johnson@gmail.com", "+1 408-555-0124", "890-75-1066", "4814683425210128", "1993-10-24");
    }

    private static List<String> firstRow(String url, String user, String password, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            List<String> row = new ArrayList<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                row.add(rs.getString(i));
            }
            return row;
        }
    }

    private static String runClient(LeakWire wire, Path client, int port, String user, String password, List<String> steps)
            throws Exception {
        Path scratch = Files.createTempFile("leak-cases", ".sql");
        try {
            ProcessBuilder pb = wire.cli(client, port, user, password, steps, scratch);
            pb.redirectErrorStream(true);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
            return out;
        } finally {
            Files.deleteIfExists(scratch);
        }
    }

    private static Path executable(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
