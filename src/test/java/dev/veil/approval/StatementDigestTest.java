package dev.veil.approval;

import dev.veil.approval.ApprovalRequest.Mode;
import dev.veil.approval.ApprovalRequest.Status;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** What binds an approval to one statement, and when an approval is in force. */
class StatementDigestTest {
    private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");

    @Test
    void theSameTextAndParametersGiveTheSameDigest() {
        assertThat(StatementDigest.of("DROP TABLE t", null)).isEqualTo(StatementDigest.of("DROP TABLE t", null))
                .hasSize(64);
    }

    @Test
    void anyDifferenceInTextOrParametersGivesAnotherDigest() {
        Set<String> digests = new HashSet<>(List.of(
                StatementDigest.of("DROP TABLE t", null),
                StatementDigest.of("drop table t", null),
                StatementDigest.of("DROP TABLE t ", null),
                StatementDigest.of("DROP TABLE t", ""),
                StatementDigest.of("DELETE FROM t WHERE id = $1", "a1"),
                StatementDigest.of("DELETE FROM t WHERE id = $1", "a2"),
                // The parts are length-prefixed: moving characters between text and parameters changes the digest.
                StatementDigest.of("ab", "c"),
                StatementDigest.of("a", "bc")));
        assertThat(digests).hasSize(8);
    }

    @Test
    void idsAreUrlSafeAndDoNotRepeat() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String id = StatementDigest.newId();
            assertThat(id).matches("[A-Za-z0-9_-]{20}");
            ids.add(id);
        }
        assertThat(ids).hasSize(1000);
    }

    private static ApprovalRequest request(Status status, Mode mode, Instant windowUntil) {
        return new ApprovalRequest("id", "erin", List.of(), "prod", "main", "shop", "postgresql", "f", "DROP TABLE t",
                "d", "drops", "r", List.of("admin"), 1, T0, T0.plusSeconds(3600), status, mode, windowUntil, List.of());
    }

    @Test
    void aRequestExpiresWithItsLifetimeAndAWindowWhenItCloses() {
        assertThat(request(Status.PENDING, null, null).statusAt(T0.plusSeconds(10))).isEqualTo(Status.PENDING);
        assertThat(request(Status.PENDING, null, null).statusAt(T0.plusSeconds(3600))).isEqualTo(Status.EXPIRED);
        assertThat(request(Status.APPROVED, Mode.ONCE, null).statusAt(T0.plusSeconds(10))).isEqualTo(Status.APPROVED);
        assertThat(request(Status.APPROVED, Mode.ONCE, null).statusAt(T0.plusSeconds(4000))).isEqualTo(Status.EXPIRED);
        ApprovalRequest window = request(Status.APPROVED, Mode.WINDOW, T0.plusSeconds(7200));
        assertThat(window.statusAt(T0.plusSeconds(5000))).as("a window may outlive the request's lifetime")
                .isEqualTo(Status.APPROVED);
        assertThat(window.statusAt(T0.plusSeconds(7200))).isEqualTo(Status.EXPIRED);
        assertThat(request(Status.USED, Mode.ONCE, null).statusAt(T0)).isEqualTo(Status.USED);
    }
}
