package dev.veil.testing;

import com.sun.management.ThreadMXBean;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;

/**
 * Bytes allocated on the heap by threads of this JVM: a deterministic measure of what a step costs in
 * memory, unlike time or the heap's fill level (which the collector changes at will).
 */
public final class AllocatedBytes {
    private AllocatedBytes() {
    }

    private static ThreadMXBean threads() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        if (!threads.isThreadAllocatedMemorySupported()) {
            throw new IllegalStateException("this JVM does not account allocations per thread");
        }
        if (!threads.isThreadAllocatedMemoryEnabled()) {
            threads.setThreadAllocatedMemoryEnabled(true);
        }
        return threads;
    }

    /** Allocated so far by the calling thread. */
    public static long byThisThread() {
        return threads().getCurrentThreadAllocatedBytes();
    }

    /** A snapshot of every live thread's count; {@link Snapshot#since()} sums what they allocated after it. */
    public static Snapshot ofAllThreads() {
        return new Snapshot(counts());
    }

    private static Map<Long, Long> counts() {
        ThreadMXBean threads = threads();
        long[] ids = threads.getAllThreadIds();
        long[] bytes = threads.getThreadAllocatedBytes(ids);
        Map<Long, Long> counts = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            if (bytes[i] >= 0) {
                counts.put(ids[i], bytes[i]);
            }
        }
        return counts;
    }

    public static final class Snapshot {
        private final Map<Long, Long> before;

        private Snapshot(Map<Long, Long> before) {
            this.before = before;
        }

        /**
         * Bytes allocated since the snapshot by threads alive now (a thread started since counts from zero;
         * one that ended since is left out, so this never overstates).
         */
        public long since() {
            long total = 0;
            for (Map.Entry<Long, Long> now : counts().entrySet()) {
                total += now.getValue() - before.getOrDefault(now.getKey(), 0L);
            }
            return total;
        }
    }
}
