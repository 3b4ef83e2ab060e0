package dev.veil.approval;

import dev.veil.approval.ApprovalLinks.Action;
import dev.veil.approval.ApprovalLinks.Checked;
import dev.veil.approval.ApprovalLinks.Problem;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Approve / deny links: signed, bound to request and action, expiring. */
class ApprovalLinksTest {
    private static final String SECRET = "a-test-secret-of-at-least-32-characters!";
    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
    private final ApprovalLinks links = new ApprovalLinks(SECRET, Duration.ofHours(1), "https://veil.example/");

    private static ApprovalRequest request(Instant expires) {
        return new ApprovalRequest("req1", "erin", List.of("engineer"), "prod", "main", "shop", "postgresql", "f", "DROP TABLE t",
                "d", "drops", "why", List.of("admin"), 1, NOW, expires, ApprovalRequest.Status.PENDING, null, null, List.of());
    }

    /** The link's path id and query parameters. */
    private static Map<String, String> parts(String url) {
        URI u = URI.create(url);
        Map<String, String> m = new LinkedHashMap<>();
        m.put("id", u.getPath().substring(ApprovalLinks.PATH.length()));
        for (String kv : u.getRawQuery().split("&")) {
            m.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
        return m;
    }

    private Checked check(ApprovalLinks with, Map<String, String> p, Instant at) {
        return with.check(p.get("id"), p.get("action"), p.get("expires"), p.get("nonce"), p.get("sig"), at);
    }

    @Test
    void aFreshLinkNamesItsRequestActionAndExpiryAndChecksOut() {
        String url = links.url(request(NOW.plus(Duration.ofDays(1))), Action.APPROVE, NOW);
        assertThat(url).startsWith("https://veil.example/console/approval-link/req1?action=approve&expires=");
        Checked c = check(links, parts(url), NOW.plusSeconds(60));
        assertThat(c.ok()).isTrue();
        assertThat(c.link().id()).isEqualTo("req1");
        assertThat(c.link().action()).isEqualTo(Action.APPROVE);
        assertThat(c.link().expires()).isEqualTo(NOW.plus(Duration.ofHours(1)));
    }

    @Test
    void eachLinkHasItsOwnNonce() {
        ApprovalRequest r = request(NOW.plus(Duration.ofDays(1)));
        assertThat(parts(links.url(r, Action.APPROVE, NOW)).get("nonce")).isNotEqualTo(parts(links.url(r, Action.APPROVE, NOW)).get("nonce"));
    }

    @Test
    void changingTheActionTheRequestOrTheExpiryBreaksTheSignature() {
        Map<String, String> p = parts(links.url(request(NOW.plus(Duration.ofDays(1))), Action.DENY, NOW));
        for (String[] change : new String[][]{{"action", "approve"}, {"id", "req2"},
                {"expires", Long.toString(NOW.plus(Duration.ofDays(30)).getEpochSecond())}, {"nonce", "other"}}) {
            Map<String, String> q = new LinkedHashMap<>(p);
            q.put(change[0], change[1]);
            Checked c = check(links, q, NOW);
            assertThat(c.problem()).as(change[0]).isEqualTo(Problem.TAMPERED);
            assertThat(c.message()).contains("signature does not match");
        }
        Map<String, String> missing = new LinkedHashMap<>(p);
        missing.remove("sig");
        assertThat(check(links, missing, NOW).problem()).isEqualTo(Problem.TAMPERED);
    }

    @Test
    void aLinkExpiresAfterItsLifetimeAndNeverOutlivesItsRequest() {
        Map<String, String> p = parts(links.url(request(NOW.plus(Duration.ofDays(1))), Action.APPROVE, NOW));
        Checked late = check(links, p, NOW.plus(Duration.ofHours(1)));
        assertThat(late.problem()).isEqualTo(Problem.EXPIRED);
        assertThat(late.message()).contains("expired at 2026-12-06T13:00:00Z");

        Map<String, String> shortLived = parts(links.url(request(NOW.plus(Duration.ofMinutes(10))), Action.APPROVE, NOW));
        assertThat(check(links, shortLived, NOW.plus(Duration.ofMinutes(10))).problem()).isEqualTo(Problem.EXPIRED);
    }

    @Test
    void anotherKeyDoesNotAcceptTheLinkAndAProcessKeySaysWhy() {
        Map<String, String> p = parts(links.url(request(NOW.plus(Duration.ofDays(1))), Action.APPROVE, NOW));
        ApprovalLinks own = new ApprovalLinks(null, Duration.ofHours(1), "https://veil.example");
        assertThat(own.ownKey()).isTrue();
        Checked c = check(own, p, NOW);
        assertThat(c.problem()).isEqualTo(Problem.TAMPERED);
        assertThat(c.message()).contains("veil.approvals.link-secret is not set").contains("another instance");
    }

    @Test
    void aShortSecretIsRefused() {
        assertThatThrownBy(() -> new ApprovalLinks("short", Duration.ofHours(1), "http://x"))
                .hasMessageContaining("veil.approvals.link-secret must be at least 32 characters");
    }
}
