package dev.veil.policy.file;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Calls {@code changed} on its own thread whenever anything in a directory changes, once the changes have
 * settled, and every {@code recheck} in any case (for file systems whose changes are not reported, and for a
 * directory that was replaced). The directory is watched rather than the file because a Kubernetes ConfigMap
 * mount never changes the file itself: the kubelet writes a new timestamped directory and renames a
 * {@code ..data_tmp} symlink over {@code ..data}, through which the file's own symlink points.
 */
final class DirectoryWatch implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DirectoryWatch.class);

    private final Path directory;
    private final Duration settle;
    private final Duration recheck;
    private final Runnable changed;
    private final WatchService service;
    private final Thread thread;
    private volatile boolean closed;

    DirectoryWatch(Path directory, Duration settle, Duration recheck, Runnable changed) throws IOException {
        this.directory = directory;
        this.settle = settle;
        this.recheck = recheck;
        this.changed = changed;
        this.service = FileSystems.getDefault().newWatchService();
        register();
        this.thread = new Thread(this::run, "veil-policy-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private boolean register() {
        try {
            directory.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
            return true;
        } catch (IOException e) {
            LOG.warnf("cannot watch %s for policy changes (%s); it is read again every %d s", directory, e.getMessage(),
                    recheck.toSeconds());
            return false;
        }
    }

    private void run() {
        boolean watching = true;
        while (!closed) {
            try {
                WatchKey key = service.poll(recheck.toMillis(), TimeUnit.MILLISECONDS);
                if (key != null) {
                    key.pollEvents();
                    watching = key.reset();
                    // A ConfigMap swap or an editor's save is several events: wait until they stop.
                    WatchKey more;
                    while ((more = service.poll(settle.toMillis(), TimeUnit.MILLISECONDS)) != null) {
                        more.pollEvents();
                        watching = more.reset() && watching;
                    }
                }
                if (!watching) {
                    watching = register(); // the directory itself went away and may be back
                }
                changed.run();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            } catch (RuntimeException e) {
                LOG.errorf(e, "reading the policy file again failed");
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            service.close();
        } catch (IOException e) {
            LOG.debugf("closing the policy watch: %s", e.getMessage());
        }
        thread.interrupt();
    }
}
