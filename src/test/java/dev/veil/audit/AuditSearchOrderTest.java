package dev.veil.audit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Search over audit files newest first (the default of the API and the CLI) or oldest first, a page at a time. */
class AuditSearchOrderTest {
    @TempDir
    Path dir;

    private static AuditQuery query(AuditQuery.Order order, int limit, Long afterSeq, Long beforeSeq) {
        return new AuditQuery(null, null, null, null, null, null, null, null, limit, order, afterSeq, beforeSeq);
    }

    private List<Long> seqs(AuditQuery q) throws Exception {
        return new AuditSearch(dir).find(q).stream().map(m -> m.json().path("seq").asLong()).toList();
    }

    private List<AuditSource.Entry> entries(AuditQuery.Order order) throws Exception {
        List<AuditSource.Entry> out = new ArrayList<>();
        new DirectoryAuditSource(dir).read(query(order, Integer.MAX_VALUE, null, null), e -> {
            out.add(e);
            return true;
        });
        return out;
    }

    @Test
    void newestFirstReadsEveryLineOfEveryFileInReverseWithItsFileAndLine() throws Exception {
        AuditChainFixture.write(dir, 40, 4_000);
        // A live file as a crash leaves it: a record torn inside the zeros the sink wrote ahead.
        Path last = FileAuditSink.files(dir).get(FileAuditSink.files(dir).size() - 1);
        Files.write(last, ("{\"seq\":999,\"type\":\"torn".getBytes(StandardCharsets.UTF_8)), StandardOpenOption.APPEND);
        Files.write(last, new byte[5000], StandardOpenOption.APPEND);
        assertThat(FileAuditSink.files(dir)).hasSizeGreaterThan(2);

        List<AuditSource.Entry> oldestFirst = entries(AuditQuery.Order.OLDEST_FIRST);
        List<AuditSource.Entry> newestFirst = entries(AuditQuery.Order.NEWEST_FIRST);
        List<AuditSource.Entry> reversed = new ArrayList<>(oldestFirst);
        Collections.reverse(reversed);
        assertThat(newestFirst).isEqualTo(reversed);
        assertThat(newestFirst.get(0).torn()).isTrue();
        assertThat(newestFirst.get(0).text()).isEqualTo("{\"seq\":999,\"type\":\"torn");
        assertThat(newestFirst.get(newestFirst.size() - 1).where()).isEqualTo(FileAuditSink.files(dir).get(0).getFileName() + ":1");
    }

    @Test
    void newestFirstPagesByTheLastSeqStayInStepWhileRecordsAreAdded() throws Exception {
        AuditChainFixture.write(dir, 40, 4_000);
        List<Long> all = seqs(AuditQuery.all());
        long newest = all.get(all.size() - 1);
        assertThat(seqs(query(AuditQuery.Order.NEWEST_FIRST, 5, null, null)))
                .containsExactly(newest, newest - 1, newest - 2, newest - 3, newest - 4);

        List<Long> paged = new ArrayList<>();
        List<Long> page = seqs(query(AuditQuery.Order.NEWEST_FIRST, 7, null, null));
        // More records arrive between the first and the second page (another run of Veil continues the chain).
        AuditChainFixture.write(dir, 10, 4_000);
        while (!page.isEmpty()) {
            paged.addAll(page);
            page = seqs(query(AuditQuery.Order.NEWEST_FIRST, 7, null, page.get(page.size() - 1)));
        }
        List<Long> expected = new ArrayList<>(all);
        Collections.reverse(expected);
        assertThat(paged).as("every record once, newest first, none of the later ones").isEqualTo(expected);
    }

    @Test
    void oldestFirstPagesByTheLastSeq() throws Exception {
        AuditChainFixture.write(dir, 40, 4_000);
        List<Long> all = seqs(AuditQuery.all());
        List<Long> paged = new ArrayList<>();
        List<Long> page = seqs(query(AuditQuery.Order.OLDEST_FIRST, 6, null, null));
        while (!page.isEmpty()) {
            paged.addAll(page);
            page = seqs(query(AuditQuery.Order.OLDEST_FIRST, 6, page.get(page.size() - 1), null));
        }
        assertThat(paged).isEqualTo(all);
        assertThat(all.get(0)).isEqualTo(1);
    }

    @Test
    void filtersApplyInBothOrders() throws Exception {
        Clock clock = AuditChainFixture.ticking();
        AuditWriter w = AuditChainFixture.writer(List.of(new FileAuditSink(dir, 4_000, Duration.ofDays(1), true, clock)), clock);
        for (int i = 0; i < 30; i++) {
            w.record(AuditChainFixture.admin(clock, i)).get(10, TimeUnit.SECONDS);
        }
        w.stop(Duration.ofSeconds(10));
        AuditQuery actions = new AuditQuery(null, null, null, null, null, null, null, "admin.action", 4,
                AuditQuery.Order.NEWEST_FIRST, null, null);
        List<String> targets = new AuditSearch(dir).find(actions).stream().map(m -> m.json().path("target").asText()).toList();
        assertThat(targets).containsExactly("thing-29", "thing-28", "thing-27", "thing-26");
        AuditQuery oldest = new AuditQuery(null, null, null, null, null, null, null, "admin.action", 2,
                AuditQuery.Order.OLDEST_FIRST, null, null);
        assertThat(new AuditSearch(dir).find(oldest).stream().map(m -> m.json().path("target").asText()).toList())
                .containsExactly("thing-0", "thing-1");
    }
}
