package dev.veil.audit;

import java.io.PrintStream;
import java.util.List;
import java.util.Optional;

/**
 * One JSON line per record on standard output, for log collectors. Written by the writer's background
 * thread, so a collector that stops reading slows the audit log down but never an event loop.
 */
public final class StdoutAuditSink implements AuditSink {
    private final PrintStream out;

    public StdoutAuditSink(PrintStream out) {
        this.out = out;
    }

    @Override
    public String name() {
        return "stdout";
    }

    @Override
    public Optional<Head> open() {
        return Optional.empty();
    }

    @Override
    public void write(List<AuditLine> batch) {
        StringBuilder sb = new StringBuilder();
        batch.forEach(l -> sb.append(l.text()).append('\n'));
        out.print(sb);
        out.flush();
    }

    @Override
    public void close() {
        out.flush();
    }
}
