package dev.veil.audit;

import java.io.PrintStream;
import java.util.List;
import java.util.Optional;

/**
 * One JSON line per record on standard output, for log collectors. It cannot take records back, so after
 * a failure in another sink it may show records that the files do not hold; the chain tells which.
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
    public void write(List<AuditLine> batch, boolean sync) {
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
