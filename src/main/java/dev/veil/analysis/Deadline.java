package dev.veil.analysis;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;

/**
 * One analysis's time budget ({@link AnalysisLimits#maxTime()}), in CPU time of the analysing thread: the work a
 * statement makes Veil do, the same on a busy machine as on an idle one (wall time would fail statements closed
 * whenever the machine is loaded). Calcite cannot be interrupted, so the validator checks the budget on every
 * expression it types and every select item it expands, and the planner between its steps; past it,
 * {@link Exceeded} stops the analysis, which then fails closed. Reading a thread's CPU time costs microseconds,
 * so the frequent checks read it only every {@value #EVERY}th time.
 */
final class Deadline {
    /** How a failure reason for an analysis out of time starts. */
    static final String REASON = "analysis took more CPU time than Veil allows";

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int EVERY = 256;

    /** Thrown past the budget; cheap (no stack trace), and recognised through Calcite's wrapping exceptions. */
    static final class Exceeded extends RuntimeException {
        Exceeded(Duration budget) {
            super(REASON + " (limit " + budget.toMillis() + " ms; veil.analysis.max-time)", null, false, false);
        }
    }

    private final Duration budget;
    private final boolean cpu;
    private final long start;
    private int checks;

    private Deadline(Duration budget) {
        this.budget = budget;
        long cpuNow = THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : -1;
        this.cpu = cpuNow >= 0;
        this.start = cpu ? cpuNow : System.nanoTime();
    }

    static Deadline after(Duration budget) {
        return new Deadline(budget);
    }

    /**
     * Whether the analysis failed for lack of time. Unlike every other outcome, that one can change from one
     * run to the next (the first analysis after start-up also loads Calcite), so it is not cached.
     */
    static boolean ranOut(Analysis analysis) {
        return analysis.failure().filter(f -> f.startsWith(REASON)).isPresent();
    }

    /** A check in a loop: reads the clock every {@value #EVERY}th call. */
    void check() {
        if (++checks % EVERY == 0) {
            checkNow();
        }
    }

    /** A check between steps: reads the clock. */
    void checkNow() {
        long used = (cpu ? THREADS.getCurrentThreadCpuTime() : System.nanoTime()) - start;
        if (used > budget.toNanos()) {
            throw new Exceeded(budget);
        }
    }
}
