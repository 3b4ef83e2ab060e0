package dev.veil.cli;

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
 * The native executable's own pages, given back to the kernel while the gateway is idle.
 *
 * <p>The executable's code and read-only data are mappings of its file, and every page of them that the process has
 * touched, or that Linux mapped next to a touched one (fault-around maps up to 64 kB around each fault in a file
 * mapping), counts in its resident memory. Measured on Veil's executable (docs/native-build.md): 70 MB of them are
 * resident after start-up, and serving a few sessions touches about 11 MB. Start-up's pages are never needed again.
 *
 * <p>So a watcher thread checks once a second; when the process was idle for the last second (at most one clock tick
 * of CPU) and the executable's resident pages grew by 4 MB since it last released them (or never did), it unmaps the
 * executable's read-only mappings with {@code madvise(MADV_DONTNEED)}. The pages stay in the page cache: what serving
 * touches again comes back as minor faults, no disk read. Under load nothing is released, so throughput is unchanged.
 *
 * <p>Only mappings without write permission, and in them only pages still backed by the file: a page the dynamic
 * loader wrote (relocations) is a private anonymous copy, and {@code MADV_DONTNEED} would replace it with the file's
 * unrelocated bytes. /proc/self/pagemap tells them apart. The writable image heap is never touched: another thread
 * may write into one of its pages between that check and the call, and the write would be lost.
 *
 * <p>On the JVM, outside Linux, or with {@code VEIL_EXECUTABLE_PAGES=kernel}, nothing is done.
 */
public final class ExecutablePages {
    private static final Logger LOG = Logger.getLogger(ExecutablePages.class);
    /** /proc/self/pagemap's bits (Documentation/admin-guide/mm/pagemap.rst). */
    static final long PRESENT = 1L << 63;
    static final long SWAPPED = 1L << 62;
    static final long FILE_OR_SHARED = 1L << 61;
    private static final int MADV_DONTNEED = 4;
    private static final long CHECK_MILLIS = 1_000;
    private static final long IDLE_CPU_TICKS = 1;
    private static final long REGROWN_KB = 4 * 1024;

    /** One line of /proc/self/maps: {@code [start, end)} and whether it may be written. */
    record Mapping(long start, long end, boolean writable) {
    }

    private ExecutablePages() {
    }

    /** Starts the watcher in the native executable on Linux; does nothing elsewhere. */
    public static void releaseWhenIdle() {
        if (!"runtime".equals(System.getProperty("org.graalvm.nativeimage.imagecode"))
                || "kernel".equals(System.getenv("VEIL_EXECUTABLE_PAGES"))
                || !System.getProperty("os.name", "").startsWith("Linux")) {
            return;
        }
        Thread watcher = new Thread(ExecutablePages::watch, "veil-executable-pages");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static void watch() {
        long releasedAt = -1;
        try {
            long cpu = cpuTicks(Files.readString(Path.of("/proc/self/stat")));
            while (true) {
                Thread.sleep(CHECK_MILLIS);
                long now = cpuTicks(Files.readString(Path.of("/proc/self/stat")));
                boolean idle = now - cpu <= IDLE_CPU_TICKS;
                cpu = now;
                long resident = rssFileKb(Files.readAllLines(Path.of("/proc/self/status")));
                if (idle && (releasedAt < 0 || resident - releasedAt >= REGROWN_KB)) {
                    long released = release();
                    releasedAt = rssFileKb(Files.readAllLines(Path.of("/proc/self/status")));
                    cpu = cpuTicks(Files.readString(Path.of("/proc/self/stat")));
                    LOG.debugf("gave back %d kB of the executable's pages (file pages resident: %d kB before, %d kB after)",
                            released / 1024, resident, releasedAt);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            // Only memory is at stake: the executable runs on as the kernel maps it.
            LOG.debugf(e, "stopped giving back the executable's pages");
        }
    }

    /** Releases the executable's read-only, file-backed pages; returns how many bytes the calls covered. */
    private static long release() throws IOException {
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

    /** The RssFile line of /proc/self/status, in kB. */
    static long rssFileKb(List<String> status) {
        for (String line : status) {
            if (line.startsWith("RssFile:")) {
                return Long.parseLong(line.substring(8).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException("no RssFile in /proc/self/status");
    }

    /**
     * Loaded only in the native executable, where libc is linked in and the builder provides these types; on the
     * JVM they are not on the class path, so nothing else names them.
     */
    private static final class Native {
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
