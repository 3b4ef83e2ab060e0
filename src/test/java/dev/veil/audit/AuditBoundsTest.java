package dev.veil.audit;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Every value of every record is bounded when it is written; readers take whatever any version wrote. */
class AuditBoundsTest {
    private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");
    private static final String HUGE = "u".repeat(8 << 20);
    private static final AuditBounds BOUNDS = AuditBounds.DEFAULT;
    /** What one record may take at most (see AuditBounds): statement and parameters, and about a hundred fields. */
    private static final int MAX_LINE = 2 * BOUNDS.statementChars() + 100 * BOUNDS.fieldChars();

    private final AuditCodec codec = new AuditCodec();

    @TempDir
    Path dir;

    private static AuditEvent.Analysis hugeAnalysis() {
        List<AuditEvent.ColumnAccess> columns = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            columns.add(new AuditEvent.ColumnAccess(HUGE, "c" + i, "read", Collections.nCopies(1000, HUGE)));
        }
        return new AuditEvent.Analysis(HUGE, Collections.nCopies(10_000, HUGE), columns, HUGE);
    }

    private static AuditEvent.StatementDecided decided(String sql, List<String> parameters, AuditEvent.Analysis analysis) {
        return new AuditEvent.StatementDecided(T, 1, 1, "ann", List.of("analyst"), "dev", "main", "shop", "postgresql",
                "0123456789abcdef", sql, true, parameters, analysis, AuditEvent.Decision.allowWithoutPolicy(), List.of(), null);
    }

    /** One event of each type with every text value (and list) as large as a client could make it. */
    private static List<AuditEvent> floodOfEveryType() {
        Map<String, String> detail = new LinkedHashMap<>();
        detail.put(HUGE, HUGE);
        for (int i = 0; i < 1000; i++) {
            detail.put("k" + i, HUGE);
        }
        List<AuditEvent.Mask> masks = Collections.nCopies(10_000, new AuditEvent.Mask(1, HUGE, HUGE, HUGE));
        return List.of(
                new AuditEvent.SessionStarted(T, 1, HUGE, new AuditEvent.Who(HUGE, Collections.nCopies(10_000, HUGE), HUGE, HUGE),
                        HUGE, HUGE, true, HUGE, HUGE, HUGE, HUGE),
                new AuditEvent.SessionEnded(T, 1, HUGE, 5, 1, HUGE),
                new AuditEvent.StatementDecided(T, 1, 1, HUGE, Collections.nCopies(10_000, HUGE), HUGE, HUGE, HUGE, HUGE, HUGE,
                        HUGE, true, Collections.nCopies(10_000, HUGE), hugeAnalysis(),
                        new AuditEvent.Decision(AuditEvent.Verdict.DENY, HUGE, HUGE, HUGE, Collections.nCopies(10_000,
                                new AuditEvent.Observation(HUGE, HUGE, AuditEvent.Verdict.DENY, HUGE))), masks, HUGE),
                new AuditEvent.StatementCompleted(T, 1, 1, HUGE, AuditEvent.Outcome.ERROR, HUGE, 1L, 1, 1, HUGE, 1045),
                new AuditEvent.AuthenticationFailed(T, HUGE, HUGE, HUGE, false, HUGE, HUGE),
                new AuditEvent.AuthenticationFailuresSuppressed(T, HUGE, 7, T, T.plusSeconds(60)),
                new AuditEvent.PolicyReloaded(T, HUGE, HUGE, false, HUGE),
                new AuditEvent.AdminAction(T, HUGE, HUGE, HUGE, detail, true),
                new AuditEvent.BreakGlass(T, HUGE, HUGE, HUGE, HUGE, 30, T.plusSeconds(1800), HUGE),
                new AuditEvent.Checkpoint(T, HUGE, 1, null, HUGE, HUGE));
    }

    @Test
    void everyEventTypeIsCoveredByTheFlood() {
        List<Class<?>> types = Arrays.stream(AuditEvent.class.getAnnotation(JsonSubTypes.class).value()).map(JsonSubTypes.Type::value)
                .<Class<?>>map(c -> c).toList();
        assertThat(floodOfEveryType().stream().<Class<?>>map(Object::getClass).toList()).containsExactlyInAnyOrderElementsOf(types);
    }

    @Test
    void noValueCanMakeARecordLargerThanItsBound() {
        for (AuditEvent e : floodOfEveryType()) {
            AuditLine line = codec.encode(1, e, AuditCodec.GENESIS);
            assertThat(line.text().length()).as(line.type()).isLessThan(MAX_LINE);
            AuditCodec.Parsed p = codec.parse(line.text());
            assertThat(p.valid()).as("what is hashed is what is written").isTrue();
            // Still the same event type, readable as such (the catch-up of a lagging sink reads lines back).
            assertThat(codec.event(p.json())).isInstanceOf(e.getClass());
            assertThat(line.identity()).as("the search column agrees with the line").isEqualTo(AuditQuery.identityOf(p.json()));
        }
    }

    @Test
    void aLongTextKeepsItsBeginningAndSaysHowLongItWas() {
        AuditLine line = codec.encode(1, new AuditEvent.AuthenticationFailed(T, "mysql", HUGE, "10.0.0.9", false, "28000",
                "Access denied for user '" + HUGE + "'"), AuditCodec.GENESIS);
        JsonNode json = codec.parse(line.text()).json();
        String user = json.path("user").asText();
        assertThat(user).startsWith("u".repeat(BOUNDS.fieldChars())).endsWith("…[truncated: " + HUGE.length() + " chars]");
        assertThat(user).hasSize(BOUNDS.fieldChars() + ("…[truncated: " + HUGE.length() + " chars]").length());
        assertThat(json.path("reason").asText()).startsWith("Access denied for user 'uuu").contains("…[truncated: ");
        assertThat(line.identity()).isEqualTo(user);
        assertThat(json.path("clientAddress").asText()).isEqualTo("10.0.0.9");
    }

    @Test
    void aLongStatementKeepsItsBeginningWithTheLengthAndHashOfTheWholeText() {
        String sql = "/* " + "x".repeat(21_000_000) + " */ SELECT ssn FROM customers WHERE id = ?";
        JsonNode json = codec.parse(codec.encode(1, decided(sql, null, AuditEvent.Analysis.notAnalysed()), AuditCodec.GENESIS).text()).json();
        assertThat(json.path("statement").asText()).isEqualTo(sql.substring(0, BOUNDS.statementChars()));
        assertThat(json.path("statementLength").asLong()).isEqualTo(sql.length());
        assertThat(json.path("statementSha256").asText()).isEqualTo(AuditCodec.sha256(sql));
        assertThat(json.path("statementTruncated").asBoolean()).isTrue();
    }

    @Test
    void aStatementWithinTheBoundIsRecordedWholeWithItsLengthAndNoHash() {
        String sql = "SELECT ssn FROM customers WHERE id = ?";
        String text = codec.encode(1, decided(sql, List.of("1"), AuditEvent.Analysis.notAnalysed()), AuditCodec.GENESIS).text();
        assertThat(text).contains("\"statement\":\"" + sql + "\",\"statementLength\":" + sql.length()
                + ",\"statementSha256\":null,\"statementTruncated\":false,");
    }

    @Test
    void aListEndsWithAnItemSayingHowManyMoreThereWere() {
        List<String> parameters = Collections.nCopies(10_000, "p".repeat(100));
        JsonNode json = codec.parse(codec.encode(1, decided("SELECT 1", parameters, hugeAnalysis()), AuditCodec.GENESIS).text()).json();
        JsonNode recorded = json.path("parameters");
        assertThat(recorded.size()).isLessThan(parameters.size());
        assertThat(recorded.get(recorded.size() - 1).asText())
                .isEqualTo("…[truncated: " + (parameters.size() - recorded.size() + 1) + " more items]");
        assertThat(recorded.get(0).asText()).isEqualTo("p".repeat(100));
        JsonNode columns = json.path("analysis").path("columns");
        assertThat(columns.get(columns.size() - 1).path("column").asText()).startsWith("…[truncated: ").endsWith(" more items]");
    }

    @Test
    void aCutNeverSplitsASurrogatePair() {
        String emoji = "\uD83D\uDE00";
        String user = "a".repeat(BOUNDS.fieldChars() - 1) + emoji.repeat(10);
        JsonNode json = codec.parse(codec.encode(1, new AuditEvent.AuthenticationFailed(T, "postgresql", user, "10.0.0.9", false,
                "28P01", "no"), AuditCodec.GENESIS).text()).json();
        assertThat(json.path("user").asText()).startsWith("a".repeat(BOUNDS.fieldChars() - 1) + "…[truncated: ");
    }

    @Test
    void smallEventsAreRecordedUnchanged() {
        AuditEvent e = new AuditEvent.AdminAction(T, "alice", "audit.search", "/api/v1/audit", Map.of("identity", "bob"), true);
        assertThat(BOUNDS.apply(e)).isEqualTo(e);
        AuditEvent.StatementDecided d = decided("SELECT 1", List.of("1"), AuditEvent.Analysis.notAnalysed());
        assertThat(BOUNDS.apply(d)).isEqualTo(d);
    }

    @Test
    void statementRecordsWithinTheBoundsAreTakenAsTheyAreAndOthersAreCopiedWithTheirCut() {
        var emails = new AuditEvent.Analysis("READ", List.of("public.customers:read"),
                List.of(new AuditEvent.ColumnAccess("public.customers", "email", "read", List.of("email"))), "known");
        var masks = List.of(new AuditEvent.Mask(1, "email", "email", "email", List.of("email"), List.of("public.customers.email")));
        var observed = new AuditEvent.Decision(AuditEvent.Verdict.ALLOW, "r", null, "v1",
                List.of(new AuditEvent.Observation("g", "observe", AuditEvent.Verdict.DENY, "why")), List.of());
        var within = new AuditEvent.StatementDecided(T, 1, 1, "ann", List.of("analyst"), "dev", "main", "shop", "postgresql",
                "0123456789abcdef", "SELECT email FROM customers", true, List.of("1"), emails, observed, masks, null);
        // The statement path records two of these per statement: no copy of a record that needs no cut.
        assertThat(BOUNDS.apply(within)).isSameAs(within);
        var completed = new AuditEvent.StatementCompleted(T, 1, 1, "ann", AuditEvent.Outcome.OK, "SELECT 1", 1L, 5, 7, null, null);
        assertThat(BOUNDS.apply(completed)).isSameAs(completed);

        var longColumn = new AuditEvent.Analysis("READ", List.of("public.customers:read"),
                List.of(emails.columns().get(0), new AuditEvent.ColumnAccess("public.customers", HUGE, "read", List.of())), "known");
        var over = (AuditEvent.StatementDecided) BOUNDS.apply(decided("SELECT 1", null, longColumn));
        assertThat(over.analysis().columns()).hasSize(2);
        assertThat(over.analysis().columns().get(0)).isSameAs(emails.columns().get(0));
        assertThat(over.analysis().columns().get(1).column()).startsWith("uuu").contains("[truncated: " + HUGE.length() + " chars]")
                .hasSizeLessThan(BOUNDS.fieldChars() + 40);
        assertThat(over.statement()).isEqualTo("SELECT 1");
    }

    /**
     * Versions before the bounds wrote a statement whole: such a record (a 21 MB comment) is over Jackson's
     * default string limit of 20,000,000 characters, and the tools reported it as "not a record".
     */
    @Test
    void recordsWrittenWithoutBoundsAreStillReadByVerifySearchAndReport() throws Exception {
        Clock clock = AuditChainFixture.ticking();
        String sql = "/* " + "x".repeat(21_000_000) + " */ SELECT ssn FROM customers";
        AuditWriter unbounded = new AuditWriter(List.of(new FileAuditSink(dir, 1 << 20, Duration.ofDays(1), true, clock)), true, clock,
                1000, 64, 1000, Duration.ofHours(1), Duration.ofMillis(50), AuditChainFixture.QUIET,
                new AuditBounds(Integer.MAX_VALUE, Integer.MAX_VALUE));
        unbounded.start();
        unbounded.record(new AuditEvent.StatementDecided(clock.instant(), 1, 1, "ann", List.of(), "dev", "main", "shop", "postgresql",
                "f", sql, false, null, AuditEvent.Analysis.notAnalysed(), AuditEvent.Decision.allowWithoutPolicy(), List.of(), null))
                .get(30, TimeUnit.SECONDS);
        unbounded.stop(Duration.ofSeconds(30));

        AuditVerifier.Result verified = new AuditVerifier().verify(dir, List.of(), false);
        assertThat(verified.findings()).isEmpty();
        List<AuditSearch.Match> found = new AuditSearch(dir).find(new AuditQuery(null, null, null, null, null, null, null,
                "statement.decided", 10));
        assertThat(found).singleElement().satisfies(m -> assertThat(m.json().path("statement").asText()).isEqualTo(sql));
        assertThat(new EvidenceReport().build(dir, null, null).recordsScanned()).isEqualTo(verified.records());
    }
}
