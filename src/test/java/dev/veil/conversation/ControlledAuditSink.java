package dev.veil.conversation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.audit.AuditLine;
import dev.veil.audit.AuditSink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * An audit sink whose durability the test controls. It is an inline sink (as the audit files are): records are
 * in it once appended, and {@link #sync()} is the fsync the writer waits for. While the gate is held, every fsync
 * blocks (the writer's background thread waits in it, as it would on a slow disk) until the test releases it,
 * or fails it with an I/O error (a disk that cannot be written). The records written are kept for assertions.
 */
final class ControlledAuditSink implements AuditSink {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<JsonNode> records = new ArrayList<>();
    private CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
    private int syncsWaiting;

    /** From now on, fsyncs wait until {@link #release()} or {@link #fail(String)}. */
    synchronized void hold() {
        if (gate.isDone()) {
            gate = new CompletableFuture<>();
        }
    }

    /** The waiting fsyncs (and later ones) complete. */
    void release() {
        gateNow().complete(null);
    }

    /** The waiting fsync (and later ones, until the next {@link #hold()}) fail with an I/O error. */
    void fail(String reason) {
        gateNow().completeExceptionally(new IOException(reason));
    }

    /** Fsyncs succeed again (after {@link #fail(String)}: the disk was repaired). */
    synchronized void heal() {
        gate = CompletableFuture.completedFuture(null);
    }

    private synchronized CompletableFuture<Void> gateNow() {
        return gate;
    }

    /** Waits until the writer is blocked in an fsync held by the gate. */
    void awaitSyncWaiting() throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        synchronized (this) {
            while (syncsWaiting == 0) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("the audit writer never waited for an fsync");
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }

    @Override
    public String name() {
        return "controlled";
    }

    @Override
    public Optional<Head> open() {
        return Optional.empty();
    }

    @Override
    public boolean inline() {
        return true;
    }

    @Override
    public void write(List<AuditLine> batch) {
        List<JsonNode> parsed = new ArrayList<>(batch.size());
        for (AuditLine line : batch) {
            try {
                parsed.add(JSON.readTree(line.text()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        synchronized (this) {
            records.addAll(parsed);
            notifyAll();
        }
    }

    @Override
    public void sync() throws IOException {
        CompletableFuture<Void> g;
        synchronized (this) {
            g = gate;
            syncsWaiting++;
            notifyAll();
        }
        try {
            g.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the test held the fsync");
        } catch (TimeoutException e) {
            throw new IOException("the test never released the fsync");
        } catch (ExecutionException e) {
            throw (IOException) e.getCause();
        } finally {
            synchronized (this) {
                syncsWaiting--;
            }
        }
    }

    /** Every record written so far (appended, whether fsync'd or not), in chain order. */
    synchronized List<JsonNode> records() {
        return List.copyOf(records);
    }

    /** Waits (at most 10 s) until {@code n} records match, and returns the matching ones. */
    List<JsonNode> await(Predicate<JsonNode> filter, int n) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        synchronized (this) {
            while (true) {
                List<JsonNode> found = records.stream().filter(filter).toList();
                if (found.size() >= n) {
                    return found;
                }
                long left = until - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected " + n + " matching audit records within 10 s, found " + found
                            + " among " + records);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }

    static Predicate<JsonNode> type(String type) {
        return j -> type.equals(j.path("type").asText());
    }

    @Override
    public void close() {
    }
}
