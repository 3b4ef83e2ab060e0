package dev.veil.cli;

import dev.veil.demo.DemoBinaries;
import org.graalvm.nativeimage.RuntimeOptions;
import org.graalvm.nativeimage.c.function.CFunction;
import org.graalvm.word.PointerBase;
import org.graalvm.word.UnsignedWord;
import org.graalvm.word.WordFactory;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the native executable gives back to the kernel once the gateway goes idle: its start-up's pages and its spent
 * heap. A per-environment pod is idle most of the time; its resident memory is what a node must reserve for it.
 *
 * <p>The executable's code and read-only data are mappings of its file, and every page of them that the process has
 * touched, or that Linux mapped next to a touched one (fault-around maps up to 64 kB around each fault in a file
 * mapping), counts in its resident memory. Measured on Veil's executable (docs/native-build.md): 70 MB of them are
 * resident after start-up, and serving a few sessions touches about 11 MB. Start-up's pages are never needed again.
 * The heap keeps what was allocated since its last collection, and an idle process does not collect.
 *
 * <p>So a watcher thread checks once a second. When the process was idle for the last second (at most one clock tick
 * of CPU) and its resident memory grew by 4 MB since it last released (or never did), it collects the heap with the
 * collector's reserve of free chunks lowered to one chunk, so the others go back to the kernel, and unmaps the
 * executable's read-only mappings with {@code madvise(MADV_DONTNEED)}. Those pages stay in the page cache: what serving
 * touches again comes back as minor faults, no disk read. The first statements after an idle period pay for those
 * faults and fresh heap chunks (docs/native-build.md has the figures). Under load nothing is done.
 *
 * <p>Only mappings without write permission, and in them only pages still backed by the file: a page the dynamic
 * loader wrote (relocations) is a private anonymous copy, and {@code MADV_DONTNEED} would replace it with the file's
 * unrelocated bytes. /proc/self/pagemap tells them apart. The writable image heap is never touched: another thread
 * may write into one of its pages between that check and the call, and the write would be lost.
 *
 * <p>On the JVM (whose collector has its own periodic collection), outside Linux, or with
 * {@code VEIL_IDLE_RELEASE=off}, nothing is done.
 */
public final class IdleRelease {
    private static final Logger LOG = Logger.getLogger(IdleRelease.class);
    /** /proc/self/pagemap's bits (Documentation/admin-guide/mm/pagemap.rst). */
    static final long PRESENT = 1L << 63;
    static final long SWAPPED = 1L << 62;
    static final long FILE_OR_SHARED = 1L << 61;
    private static final int MADV_DONTNEED = 4;
    private static final long CHECK_MILLIS = 1_000;
    private static final long IDLE_CPU_TICKS = 1;
    private static final long REGROWN_KB = 4 * 1024;
    /** The serial collector's free-chunk reserve during the idle collection: one aligned chunk. */
    private static final long IDLE_HEAP_FREE_BYTES = 1024 * 1024;

    /** One line of /proc/self/maps: {@code [start, end)} and whether it may be written. */
    record Mapping(long start, long end, boolean writable) {
    }

    /** The RssAnon and RssFile lines of /proc/self/status, in kB. */
    record Resident(long anonKb, long fileKb) {
        /** Whether this grew by {@code kb} or more, in either part, since {@code before}. */
        boolean grownSince(Resident before, long kb) {
            return anonKb - before.anonKb >= kb || fileKb - before.fileKb >= kb;
        }
    }

    private IdleRelease() {
    }

    /** Starts the watcher in the native executable on Linux; does nothing elsewhere. */
    public static void releaseWhenIdle() {
        if (!DemoBinaries.inNativeExecutable()
                || "off".equals(System.getenv("VEIL_IDLE_RELEASE"))
                || !System.getProperty("os.name", "").startsWith("Linux")) {
            return;
        }
        Thread watcher = new Thread(IdleRelease::watch, "veil-idle-release");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static void watch() {
        Resident releasedAt = null;
        try {
            long cpu = cpuTicks();
            while (true) {
                Thread.sleep(CHECK_MILLIS);
                long now = cpuTicks();
                boolean idle = now - cpu <= IDLE_CPU_TICKS;
                cpu = now;
                Resident before = resident();
                if (idle && (releasedAt == null || before.grownSince(releasedAt, REGROWN_KB))) {
                    Native.collectHeap();
                    long unmapped = releaseExecutablePages();
                    releasedAt = resident();
                    cpu = cpuTicks();
                    LOG.debugf("idle: heap collected, %d kB of the executable's pages unmapped; resident %s before, "
                            + "%s after", unmapped / 1024, before, releasedAt);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            // Only memory is at stake: the executable runs on as it is.
            LOG.debugf(e, "stopped releasing memory when idle");
        }
    }

    private static long cpuTicks() throws IOException {
        return cpuTicks(Files.readString(Path.of("/proc/self/stat")));
    }

    private static Resident resident() throws IOException {
        return resident(Files.readAllLines(Path.of("/proc/self/status")));
    }

    /** Unmaps the executable's read-only, file-backed pages; returns how many bytes the calls covered. */
    private static long releaseExecutablePages() throws IOException {
        String executable = Path.of("/proc/self/exe").toRealPath().toString();
        long pageSize = Native.pageSize();
        long covered = 0;
        try (FileChannel pagemap = FileChannel.open(Path.of("/proc/self/pagemap"))) {
            for (Mapping m : mappingsOf(executable, Files.readAllLines(Path.of("/proc/self/maps")))) {
                if (m.writable()) {
                    continue;
                }
                long[] entries = pagemapEntries(pagemap, m, pageSize);
                for (long[] run : releasable(m.start(), pageSize, entries)) {
                    if (Native.dontNeed(run[0], run[1] - run[0]) == 0) {
                        covered += run[1] - run[0];
                    }
                }
            }
        }
        return covered;
    }

    private static long[] pagemapEntries(FileChannel pagemap, Mapping m, long pageSize) throws IOException {
        int pages = Math.toIntExact((m.end() - m.start()) / pageSize);
        ByteBuffer buffer = ByteBuffer.allocate(pages * Long.BYTES).order(ByteOrder.nativeOrder());
        long position = m.start() / pageSize * Long.BYTES;
        while (buffer.hasRemaining()) {
            int n = pagemap.read(buffer, position + buffer.position());
            if (n <= 0) {
                throw new IOException("short read of /proc/self/pagemap");
            }
        }
        buffer.flip();
        long[] entries = new long[pages];
        buffer.asLongBuffer().get(entries);
        return entries;
    }

    /**
     * The address ranges that may be released, given a mapping's first address and its pagemap entries: runs of pages
     * that are not resident, or resident and backed by the file. A resident page that is not file-backed (a private
     * copy: relocations) or a swapped one ends a run and is left alone.
     */
    static List<long[]> releasable(long start, long pageSize, long[] entries) {
        List<long[]> runs = new ArrayList<>();
        long runStart = -1;
        for (int i = 0; i <= entries.length; i++) {
            boolean ok = i < entries.length && (entries[i] & SWAPPED) == 0
                    && ((entries[i] & PRESENT) == 0 || (entries[i] & FILE_OR_SHARED) != 0);
            long address = start + i * pageSize;
            if (ok && runStart < 0) {
                runStart = address;
            } else if (!ok && runStart >= 0) {
                runs.add(new long[]{runStart, address});
                runStart = -1;
            }
        }
        return runs;
    }

    /** The /proc/self/maps lines that map {@code file} ("start-end perms offset dev inode path"). */
    static List<Mapping> mappingsOf(String file, List<String> maps) {
        return maps.stream().map(l -> l.split("\\s+", 6))
                .filter(f -> f.length == 6 && f[5].equals(file))
                .map(f -> {
                    String[] range = f[0].split("-");
                    return new Mapping(Long.parseUnsignedLong(range[0], 16), Long.parseUnsignedLong(range[1], 16),
                            f[1].charAt(1) == 'w');
                })
                .toList();
    }

    /** User plus system time in clock ticks, from /proc/self/stat (fields 14 and 15; the name before may hold spaces). */
    static long cpuTicks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** The resident anonymous and file-backed memory, from /proc/self/status's lines. */
    static Resident resident(List<String> status) {
        return new Resident(kb(status, "RssAnon:"), kb(status, "RssFile:"));
    }

    private static long kb(List<String> status, String key) {
        for (String line : status) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException("no " + key + " in /proc/self/status");
    }

    /**
     * Loaded only in the native executable, where libc is linked in and the builder provides these types; on the
     * JVM they are not on the class path, so nothing else names them.
     */
    private static final class Native {
        /**
         * A full collection with the collector's reserve of free chunks (kept committed for the next allocations,
         * normally sized by its policy: tens of MB after start-up) lowered to one chunk, so the rest go back to the
         * kernel; the operator's -XX:MaxHeapFree, if any, is restored after. A collector without that option (not
         * the serial one) just collects.
         */
        static void collectHeap() {
            Long reserve;
            try {
                reserve = RuntimeOptions.get("MaxHeapFree");
                long idle = reserve > 0 ? Math.min(reserve, IDLE_HEAP_FREE_BYTES) : IDLE_HEAP_FREE_BYTES;
                RuntimeOptions.set("MaxHeapFree", idle);
            } catch (RuntimeException e) {
                System.gc();
                return;
            }
            try {
                System.gc();
            } finally {
                RuntimeOptions.set("MaxHeapFree", reserve);
            }
        }

        static long pageSize() {
            return getpagesize();
        }

        static int dontNeed(long address, long length) {
            return madvise(WordFactory.pointer(address), WordFactory.unsigned(length), MADV_DONTNEED);
        }

        @CFunction
        static native int madvise(PointerBase address, UnsignedWord length, int advice);

        @CFunction
        static native int getpagesize();
    }
}
