package dev.veil.audit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Search filters and SOC 2 evidence over a real audit directory holding the facts later stages will
 * record (tagged columns, denials, approvals, privilege statements).
 */
class EvidenceReportTest {
    @TempDir
    Path dir;

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private void writeLog() throws Exception {
        Clock clock = AuditChainFixture.ticking();
        AuditChainFixture.write(List.of(new FileAuditSink(dir, 1 << 20, Duration.ofDays(1), true, clock)), clock, AuditChainFixture.evidence(T0));
    }

    @Test
    void reportsSensitiveAccessRefusalsApprovalsPrivilegeChangesAndSignInFailures() throws Exception {
        writeLog();
        EvidenceReport report = new EvidenceReport();
        EvidenceReport.Report r = report.build(dir, T0, T0.plusSeconds(3600));
        assertThat(r.sensitiveAccess()).extracting(a -> a.identity() + " " + a.relation() + "." + a.column() + " " + a.tags() + " x" + a.statements())
                .containsExactly("ann public.customers.email pii.email x2", "bob public.customers.email pii.email x1");
        assertThat(r.refusals()).singleElement().satisfies(x -> {
            assertThat(x.identity()).isEqualTo("bob");
            assertThat(x.rule()).isEqualTo("no-unbounded-delete");
        });
        assertThat(r.approvals()).extracting(EvidenceReport.Approval::approval).containsExactly("approval-17");
        assertThat(r.privilegeChanges()).extracting(EvidenceReport.PrivilegeChange::what).containsExactly("statement", "policy.publish");
        assertThat(r.adminActions()).extracting(EvidenceReport.AdminActivity::action).containsExactly("policy.publish", "audit.search");
        assertThat(r.signInFailures()).extracting(EvidenceReport.SignInFailure::user).containsExactly("eve");

        List<Path> files = report.write(r, dir.resolve("out"), new AuditCodec().mapper());
        assertThat(files).extracting(p -> p.getFileName().toString()).contains("soc2-evidence.json", "sensitive-access.csv", "refusals.csv");
        assertThat(Files.readAllLines(dir.resolve("out/sensitive-access.csv")))
                .startsWith("identity,relation,column,tags,statements,first,last")
                .hasSize(3);
        assertThat(Files.readString(dir.resolve("out/refusals.csv"))).contains("no-unbounded-delete,DELETE without WHERE,DELETE FROM orders");
        assertThat(Files.readString(dir.resolve("out/soc2-evidence.json"))).contains("\"sensitiveAccess\"").contains("approval-17");
    }

    @Test
    void searchFiltersByIdentityTimeRelationTagDecisionAndRule() throws Exception {
        writeLog();
        AuditSearch search = new AuditSearch(dir);
        assertThat(search.find(new AuditQuery("bob", null, null, null, null, null, null, null, 100))).hasSize(3);
        assertThat(search.find(new AuditQuery(null, null, null, "customers", null, null, null, null, 100))).hasSize(4);
        assertThat(search.find(new AuditQuery(null, T0, T0.plusSeconds(3600), "public.customers", "PII.EMAIL", null, null, null, 100))).hasSize(3);
        assertThat(search.find(new AuditQuery(null, null, null, null, null, "deny", "no-unbounded-delete", null, 100)))
                .singleElement().satisfies(m -> assertThat(m.json().path("statement").asText()).isEqualTo("DELETE FROM orders"));
        assertThat(search.find(new AuditQuery(null, null, null, null, null, null, null, "auth.failed", 100))).hasSize(1);
        assertThat(search.find(new AuditQuery(null, null, null, null, null, null, null, null, 2))).hasSize(2);
        assertThat(EvidenceReport.quote("=cmd()")).isEqualTo("\"'=cmd()\"");
        assertThat(EvidenceReport.quote("a,\"b\"")).isEqualTo("\"a,\"\"b\"\"\"");
    }
}
