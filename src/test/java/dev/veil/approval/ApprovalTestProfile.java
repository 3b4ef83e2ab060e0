package dev.veil.approval;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The suite's Veil with rules that hold DROP, and engineers' statements on customers (whose ssn is masked for
 * them), for approval (requests in the audit database's table), and a second
 * admin account, {@link #LEAD}, so that one admin can approve what another asked; new requests are posted to a
 * Slack stand-in ({@link SlackCatcher}) with links signed under {@link #LINK_SECRET}.
 */
public class ApprovalTestProfile implements QuarkusTestProfile {
    static final String LEAD = "lead";
    static final String LEAD_PASSWORD = "lead-secret";
    static final String LINK_SECRET = "approval-links-test-secret-0123456789abcdef";

    static final String POLICY = """
            roles:
              engineer: {local-accounts: [tester]}
              admin: {configured-roles: [admin]}
            rules:
              - name: quick-drops
                when: '"drop" in statement.actions && statement.relations.exists(r, r.relation.startsWith("appr_quick"))'
                outcome: require-approval
                reason: dropping this table needs an approval
                timeout: 2s
              - name: two-person-drops
                when: '"drop" in statement.actions && statement.relations.exists(r, r.relation.startsWith("appr_two"))'
                outcome: require-approval
                reason: dropping this table needs two approvals
                approvers: {roles: [admin], count: 2}
                timeout: 60s
              - name: drops-need-approval
                when: '"drop" in statement.actions'
                outcome: require-approval
                reason: dropping a table needs a second person
                timeout: 60s
              - name: customer-data-needs-approval
                when: '"engineer" in identity.roles && statement.relations.exists(r, r.relation == "customers")'
                outcome: require-approval
                reason: customer data needs an approval
                timeout: 60s
              - name: engineers-see-masked-ssn
                when: '"engineer" in identity.roles && statement.relations.exists(r, r.relation == "customers")'
                outcome: mask
                mask:
                  - {tag: national_id, masker: partial(4)}
            default:
              known-identity: {outcome: allow}
            """;

    private static Path file;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("veil.policy.file", file().toString(),
                "veil.local-accounts." + LEAD + ".password", LEAD_PASSWORD,
                "veil.local-accounts." + LEAD + ".roles", "admin",
                "veil.approvals.poll-interval", "100ms",
                "veil.approvals.slack-url", SlackCatcher.url(),
                "veil.approvals.link-secret", LINK_SECRET);
    }

    private static synchronized Path file() {
        if (file == null) {
            try {
                file = Files.createTempDirectory("veil-approvals").resolve("policy.yaml");
                Files.writeString(file, POLICY);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return file;
    }
}
