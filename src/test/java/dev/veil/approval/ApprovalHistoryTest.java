package dev.veil.approval;

import dev.veil.approval.ApprovalRequest.Status;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Future;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The history of decided requests over the real control-plane table: filters and keyset pages. */
@Tag("servers")
@QuarkusTest
@TestProfile(ApprovalTestProfile.class)
@QuarkusTestResource(VeilTestResource.class)
class ApprovalHistoryTest {
    @Inject
    Approvals approvals;

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private ApprovalRequest insert(String requester, Status status, Instant created, Instant expires) throws Exception {
        ApprovalRequest r = new ApprovalRequest(StatementDigest.newId(), requester, List.of("engineer"), "test", "main", "shop",
                "postgresql", "f", "DROP TABLE h_" + status.wire(), "d", "drops-need-approval", "why", List.of("admin"), 1,
                created, expires, status, status == Status.USED ? ApprovalRequest.Mode.ONCE : null, null, List.of());
        return await(approvals.store().insert(r));
    }

    private List<String> ids(ApprovalHistory.Page p) {
        return p.requests().stream().map(ApprovalRequest::id).toList();
    }

    @Test
    void decidedRequestsComeNewestFirstInPagesFilteredByRequesterStatusAndTime() throws Exception {
        String who = "hist-" + UUID.randomUUID();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Instant day = now.plus(Duration.ofDays(1));
        ApprovalRequest denied = insert(who, Status.DENIED, now.minus(Duration.ofMinutes(40)), day);
        ApprovalRequest used = insert(who, Status.USED, now.minus(Duration.ofMinutes(30)), day);
        ApprovalRequest lapsed = insert(who, Status.PENDING, now.minus(Duration.ofHours(25)), now.minus(Duration.ofHours(1)));
        ApprovalRequest open = insert(who, Status.PENDING, now.minus(Duration.ofMinutes(10)), day);
        insert("someone-else-" + UUID.randomUUID(), Status.DENIED, now.minus(Duration.ofMinutes(5)), day);
        ApprovalHistory history = new ApprovalHistory(approvals.store());

        ApprovalHistory.Page first = await(history.page(new ApprovalHistory.Query(who, null, null, null, null, 2), now));
        assertThat(ids(first)).containsExactly(used.id(), denied.id());
        assertThat(first.next()).isNotNull();
        ApprovalHistory.Page second = await(history.page(new ApprovalHistory.Query(who, null, null, null,
                ApprovalHistory.Cursor.parse(first.next().text()), 2), now));
        assertThat(ids(second)).containsExactly(lapsed.id());
        assertThat(second.requests().get(0).status()).as("pending past its lifetime").isEqualTo(Status.EXPIRED);
        assertThat(second.next()).isNull();
        assertThat(ids(first)).doesNotContain(open.id());

        assertThat(ids(await(history.page(new ApprovalHistory.Query(who, Status.EXPIRED, null, null, null, 10), now))))
                .containsExactly(lapsed.id());
        assertThat(ids(await(history.page(new ApprovalHistory.Query(who, Status.DENIED, null, null, null, 10), now))))
                .containsExactly(denied.id());
        assertThat(ids(await(history.page(new ApprovalHistory.Query(who, null, now.minus(Duration.ofMinutes(35)),
                now.minus(Duration.ofMinutes(20)), null, 10), now)))).containsExactly(used.id());
    }
}
