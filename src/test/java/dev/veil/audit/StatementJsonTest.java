package dev.veil.audit;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The statement records are written without the object mapper; what they say must not change: byte for byte the
 * mapper's output, for every field filled, empty or null, and for text that needs escaping.
 */
class StatementJsonTest {
    private final AuditCodec codec = new AuditCodec();
    private final StatementJson json = new StatementJson();

    @Test
    void aDecisionWithEveryFieldFilledIsWrittenAsTheMapperWritesIt() {
        var event = new AuditEvent.StatementDecided(Instant.parse("2026-12-06T07:14:21.339123456Z"), 7, 42, "ana",
                List.of("analyst", "engineer"), "prod", "demo-postgres", "shop", "postgresql", "00ff00ff00ff00ff",
                "SELECT \"name\" FROM customers WHERE note = '\\n\t\u0001é😀'", 55, "ab".repeat(32), true, true,
                List.of("1", "x"), new AuditEvent.Analysis("READ", List.of("shop.public.customers:read"),
                List.of(new AuditEvent.ColumnAccess("shop.public.customers", "name", "read", List.of("pii.name"))), "known"),
                new AuditEvent.Decision(AuditEvent.Verdict.NEEDS_APPROVAL, "admin-ddl", "needs a second person", "v1abc",
                        List.of(new AuditEvent.Observation("new-rule", AuditEvent.Observation.OBSERVE, AuditEvent.Verdict.DENY, "would stop it"))),
                List.of(new AuditEvent.Mask(2, "email", "pii.email", "email-domain")), "approval-9");
        assertSameAsTheMapper(event);
    }

    @Test
    void aMaskedStatementsColumnsAndProbesAreWrittenAsTheMapperWritesThem() {
        var event = new AuditEvent.StatementDecided(Instant.parse("2026-12-06T07:14:21Z"), 7, 42, "ann", List.of("analyst"),
                "prod", "demo-postgres", "shop", "postgresql", "00ff00ff00ff00ff", "SELECT id, email FROM customers", false,
                null, AuditEvent.Analysis.notAnalysed(),
                new AuditEvent.Decision(AuditEvent.Verdict.ALLOW, "analysts-masked", null, "v1", List.of(),
                        List.of("public.customers.full_name")),
                List.of(new AuditEvent.Mask(1, "email", "email", "email", List.of("email"), List.of("public.customers.email")),
                        new AuditEvent.Mask(2, "x", null, "partial(4)", List.of(), List.of())), null);
        assertSameAsTheMapper(event);
        String written = json.write(event);
        assertThat(written).contains("\"probes\":[\"public.customers.full_name\"]")
                .contains("\"tags\":[\"email\"],\"origins\":[\"public.customers.email\"]");
    }

    @Test
    void aDecisionWithoutProbesLeavesTheFieldOut() {
        var decision = new AuditEvent.Decision(AuditEvent.Verdict.ALLOW, "r", null, "v1", List.of());
        var event = new AuditEvent.StatementDecided(Instant.EPOCH, 1, 2, "u", List.of(), "e", "up", "db", "mysql",
                "f", "", false, List.of(), AuditEvent.Analysis.notAnalysed(), decision, List.of(), null);
        assertSameAsTheMapper(event);
        assertThat(json.write(event)).doesNotContain("probes");
    }

    @Test
    void aDecisionWithNullsAndEmptyListsIsWrittenAsTheMapperWritesIt() {
        var event = new AuditEvent.StatementDecided(Instant.parse("2026-12-06T07:14:21Z"), 1, 1, null, null, null, null,
                null, null, null, null, 0, null, false, false, null, null, null, null, null);
        assertSameAsTheMapper(event);
        assertSameAsTheMapper(new AuditEvent.StatementDecided(Instant.EPOCH, 1, 2, "u", List.of(), "e", "up", "db", "mysql",
                "f", "", false, List.of(), AuditEvent.Analysis.notAnalysed(), AuditEvent.Decision.allowWithoutPolicy(),
                List.of(), null));
    }

    @Test
    void everyOutcomeOfACompletedStatementIsWrittenAsTheMapperWritesIt() {
        for (AuditEvent.Outcome o : AuditEvent.Outcome.values()) {
            assertSameAsTheMapper(new AuditEvent.StatementCompleted(Instant.parse("2026-01-01T00:00:00.100Z"), 3, 4,
                    "ana", o, "SELECT 1", 1L, 120, 900, "42501", 1142));
        }
        assertSameAsTheMapper(new AuditEvent.StatementCompleted(Instant.EPOCH, 3, 4, null, null, null, null, 0, -1,
                null, null));
    }

    @Test
    void aCompletedStatementWithTheCeilingsDecisionIsWrittenAsTheMapperWritesIt() {
        AuditEvent.Decision over = new AuditEvent.Decision(AuditEvent.Verdict.DENY, "guardrail.affected-rows-ceiling",
                "guardrail affected-rows-ceiling: this statement changed 5 rows", "abc", List.of());
        AuditEvent.Decision observed = new AuditEvent.Decision(AuditEvent.Verdict.ALLOW, "guardrail.affected-rows-ceiling", null,
                null, List.of(new AuditEvent.Observation("guardrail.affected-rows-ceiling", "observe", AuditEvent.Verdict.DENY, "x")));
        for (AuditEvent.Decision d : List.of(over, observed)) {
            assertSameAsTheMapper(new AuditEvent.StatementCompleted(Instant.parse("2026-01-01T00:00:00.100Z"), 3, 4,
                    "ana", AuditEvent.Outcome.REFUSED, "UPDATE 5", 5L, 120, 900, "42501", null, d));
        }
    }

    @RepeatedTest(20)
    void randomStatementRecordsAreWrittenAsTheMapperWritesThem() {
        Random r = new Random();
        for (int i = 0; i < 50; i++) {
            assertSameAsTheMapper(new AuditEvent.StatementDecided(Instant.ofEpochSecond(r.nextInt(2_000_000_000), r.nextInt(1_000_000_000)),
                    r.nextLong(), r.nextLong(), text(r), strings(r), text(r), text(r), text(r), text(r), text(r), text(r),
                    r.nextLong(), text(r), r.nextBoolean(), r.nextBoolean(), strings(r),
                    r.nextInt(4) == 0 ? null : new AuditEvent.Analysis(text(r), strings(r), columns(r), text(r)),
                    r.nextInt(4) == 0 ? null : new AuditEvent.Decision(verdict(r), text(r), text(r), text(r), observations(r),
                            r.nextBoolean() ? List.of() : strings(r)),
                    masks(r), text(r)));
            assertSameAsTheMapper(new AuditEvent.StatementCompleted(Instant.ofEpochMilli(r.nextLong() >>> 24), r.nextLong(),
                    r.nextLong(), text(r), r.nextInt(6) == 0 ? null : AuditEvent.Outcome.values()[r.nextInt(5)], text(r),
                    r.nextBoolean() ? null : r.nextLong(), r.nextLong(), r.nextLong(), text(r),
                    r.nextBoolean() ? null : r.nextInt()));
        }
    }

    /**
     * The repeating parts of a decision record are remembered per thread: records that share a session or a statement
     * with an earlier one, and records that differ from it in one field only, are each still written as the mapper
     * writes them.
     */
    @Test
    void recordsRepeatingASessionOrAStatementAreWrittenAsTheMapperWritesThem() {
        Random r = new Random(12);
        List<String> identities = List.of("ana", "bob", "ana\u0001");
        List<String> texts = List.of("SELECT 1", "SELECT c FROM t WHERE id = ?", "SELECT \"x\"");
        List<AuditEvent.Analysis> analyses = List.of(AuditEvent.Analysis.notAnalysed(),
                new AuditEvent.Analysis("READ", List.of("db.t:read"), List.of(new AuditEvent.ColumnAccess("db.t", "c", "read", List.of())), "known"),
                new AuditEvent.Analysis("READ", List.of("db.t:read"), List.of(new AuditEvent.ColumnAccess("db.t", "c", "read", List.of("pii.email"))), "known"));
        for (int i = 0; i < 2_000; i++) {
            String identity = identities.get(r.nextInt(identities.size()));
            String text = texts.get(r.nextInt(texts.size()));
            var decision = new AuditEvent.Decision(AuditEvent.Verdict.values()[r.nextInt(2)], "rule-" + r.nextInt(2),
                    r.nextBoolean() ? null : "because", "v" + r.nextInt(2), List.of());
            var event = new AuditEvent.StatementDecided(Instant.ofEpochSecond(1_796_600_000L + i, i), r.nextInt(3), i, identity,
                    r.nextBoolean() ? List.of("analyst") : List.of("analyst", "admin"), "prod", "up", r.nextBoolean() ? "shop" : "crm",
                    "postgresql", "f" + text.length(), text, text.length(), null, false, r.nextBoolean(),
                    r.nextInt(4) == 0 ? List.of(String.valueOf(r.nextInt(3))) : null, analyses.get(r.nextInt(analyses.size())),
                    decision, r.nextInt(4) == 0 ? List.of(new AuditEvent.Mask(1, "c", "email", "email")) : List.of(),
                    r.nextInt(8) == 0 ? "approval-" + r.nextInt(2) : null);
            assertSameAsTheMapper(event);
        }
    }

    @Test
    void instantsAreWrittenAsInstantToStringWritesThem() {
        Random r = new Random();
        List<Instant> cases = new ArrayList<>(List.of(Instant.EPOCH, Instant.parse("2026-12-06T07:14:21Z"),
                Instant.parse("2026-12-06T07:14:21.100Z"), Instant.parse("2026-12-06T07:14:21.000100Z"),
                Instant.parse("2026-12-06T07:14:21.000000001Z"), Instant.parse("9999-12-31T23:59:59.999999999Z"),
                Instant.parse("1000-01-01T00:00:00Z"), Instant.parse("0999-12-31T23:59:59Z"), Instant.parse("+10000-01-01T00:00:00Z"),
                Instant.MIN, Instant.MAX));
        for (int i = 0; i < 10_000; i++) {
            int nano = switch (r.nextInt(4)) {
                case 0 -> 0;
                case 1 -> r.nextInt(1000) * 1_000_000;
                case 2 -> r.nextInt(1_000_000) * 1_000;
                default -> r.nextInt(1_000_000_000);
            };
            cases.add(Instant.ofEpochSecond(r.nextLong() % 400_000_000_000L, nano));
        }
        // Runs within one second and back again: the text up to the second is remembered between records.
        for (int nano : new int[] {0, 5_000_000, 123_456_000, 999_999_999, 7}) {
            cases.add(Instant.ofEpochSecond(1_796_600_000L, nano));
        }
        cases.add(Instant.ofEpochSecond(1_796_600_001L, 1));
        cases.add(Instant.ofEpochSecond(1_796_600_000L, 1));
        for (Instant t : cases) {
            assertThat(AuditInstants.text(t)).isEqualTo(t.toString());
        }
    }

    @Test
    void otherEventsAreLeftToTheMapper() {
        assertThat(json.write(new AuditEvent.SessionEnded(Instant.EPOCH, 1, "ana", 5, 2, "terminated"))).isNull();
    }

    private void assertSameAsTheMapper(AuditEvent event) {
        assertThat(json.write(event)).isEqualTo(codec.viaMapper(event));
    }

    private static String text(Random r) {
        if (r.nextInt(5) == 0) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        int n = r.nextInt(12);
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(6)) {
                case 0 -> b.append((char) r.nextInt(0x20)); // control characters
                case 1 -> b.append("\"\\/'");
                case 2 -> b.append((char) (0x80 + r.nextInt(0x700)));
                case 3 -> b.appendCodePoint(0x1F600 + r.nextInt(50));
                case 4 -> b.append((char) (0xD800 + r.nextInt(0x800))); // a lone surrogate
                default -> b.append((char) (0x20 + r.nextInt(0x5f)));
            }
        }
        return b.toString();
    }

    private static List<String> strings(Random r) {
        if (r.nextInt(5) == 0) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
            out.add(text(r));
        }
        return out;
    }

    private static List<AuditEvent.ColumnAccess> columns(Random r) {
        if (r.nextInt(5) == 0) {
            return null;
        }
        List<AuditEvent.ColumnAccess> out = new ArrayList<>();
        for (int i = r.nextInt(3); i > 0; i--) {
            out.add(new AuditEvent.ColumnAccess(text(r), text(r), text(r), strings(r)));
        }
        return out;
    }

    private static List<AuditEvent.Observation> observations(Random r) {
        List<AuditEvent.Observation> out = new ArrayList<>();
        for (int i = r.nextInt(3); i > 0; i--) {
            out.add(new AuditEvent.Observation(text(r), text(r), verdict(r), text(r)));
        }
        return out;
    }

    private static List<AuditEvent.Mask> masks(Random r) {
        if (r.nextInt(5) == 0) {
            return null;
        }
        List<AuditEvent.Mask> out = new ArrayList<>();
        for (int i = r.nextInt(3); i > 0; i--) {
            out.add(new AuditEvent.Mask(r.nextInt(), text(r), text(r), text(r), strings(r), strings(r)));
        }
        return out;
    }

    private static AuditEvent.Verdict verdict(Random r) {
        return r.nextInt(5) == 0 ? null : AuditEvent.Verdict.values()[r.nextInt(3)];
    }
}
