package dev.veil.policy.file;

import dev.veil.audit.AuditEvent;
import dev.veil.config.ConfigurationProblem;
import dev.veil.policy.PolicyEngine;
import dev.veil.policy.PolicyParser;
import dev.veil.policy.PolicyProblem;
import dev.veil.policy.PolicySet;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * The policy file of veil.policy.file: read at start, watched, and read again when it changes. A file that
 * loads is put in force in the engine at once; one with mistakes is refused, the policy in force stays, and
 * both are recorded in the audit trail ({@code policy.reloaded}, with the version and, when refused, every
 * mistake). The I/O side of the policy; the parsing and deciding are pure ({@link PolicyParser}).
 */
public final class PolicyFile implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PolicyFile.class);
    /** Quiet time after a change before the file is read (an editor's save, a ConfigMap swap: several events). */
    private static final Duration SETTLE = Duration.ofMillis(100);
    /** The file is read again this often even when no change was reported. */
    static final Duration RECHECK = Duration.ofSeconds(30);
    /** Larger files are refused unread: a policy file is a few kilobytes. */
    private static final long MAX_BYTES = 4L << 20;

    /**
     * Where the policy stands: the set in force (null without one) since when, and the last refused version
     * with its mistakes (null when the last read loaded).
     */
    public record Status(Path path, PolicySet inForce, Instant loadedAt, String refusedVersion, String refusal,
                         Instant refusedAt) {
    }

    private final Path path;
    private final String environment;
    private final PolicyEngine engine;
    private final Clock clock;
    private final Consumer<AuditEvent> audit;
    private final Duration recheck;
    /** The version of the content read last, loaded or refused: the same content is not read twice. */
    private String lastRead;
    private volatile Status status;
    private DirectoryWatch watch;

    /**
     * @param path        the file, or null when veil.policy.file is not set
     * @param environment veil.environment: a file naming another environment is refused
     * @param audit       where policy.reloaded events go
     */
    public PolicyFile(Path path, String environment, PolicyEngine engine, Clock clock, Consumer<AuditEvent> audit) {
        this(path, environment, engine, clock, audit, RECHECK);
    }

    /** {@code recheck}: how often the file is read again without a reported change (tests: only the watch). */
    PolicyFile(Path path, String environment, PolicyEngine engine, Clock clock, Consumer<AuditEvent> audit, Duration recheck) {
        this.recheck = recheck;
        this.path = path;
        this.environment = environment;
        this.engine = engine;
        this.clock = clock;
        this.audit = audit;
        this.status = new Status(path, null, null, null, null, null);
    }

    public boolean configured() {
        return path != null;
    }

    public Status status() {
        return status;
    }

    /**
     * Loads the file, puts it in force and starts watching it. Nothing without a file configured.
     *
     * @throws ConfigurationProblem naming every mistake of the file (or why it cannot be read): Veil does not start
     */
    public synchronized void start() {
        if (path == null) {
            return;
        }
        try {
            load(read(), true);
        } catch (PolicyProblem e) {
            throw new ConfigurationProblem("veil.policy.file: the policy file cannot be used (fix it and start again):\n"
                    + e.getMessage());
        }
        try {
            watch = new DirectoryWatch(directory(), SETTLE, recheck, this::reload);
        } catch (IOException e) {
            throw new ConfigurationProblem("veil.policy.file: cannot watch " + directory() + " for changes: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the file again: changed content is put in force, or, with mistakes, refused while the policy in
     * force stays. True when a new version was put in force.
     */
    public synchronized boolean reload() {
        if (path == null) {
            return false;
        }
        try {
            return load(read(), false);
        } catch (PolicyProblem e) {
            return false; // recorded in load() or read()
        }
    }

    private Path directory() {
        Path parent = path.toAbsolutePath().getParent();
        return parent == null ? path.toAbsolutePath() : parent;
    }

    /** The file's text; an unreadable file is recorded (once) and thrown. */
    private String read() throws PolicyProblem {
        String source = path.toString();
        try {
            if (Files.size(path) > MAX_BYTES) {
                throw refused("unreadable:too-large", 1, 1, "the file is larger than " + (MAX_BYTES >> 20)
                        + " MiB; a policy file is a few kilobytes");
            }
            byte[] bytes = Files.readAllBytes(path);
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw refused("unreadable:encoding", 1, 1, "the file is not UTF-8 text");
        } catch (IOException e) {
            throw refused("unreadable:" + e.getClass().getSimpleName(), 1, 1, "cannot be read: " + describe(e)
                    + " (veil.policy.file names it; the file must be readable by Veil's user)");
        }
    }

    private static String describe(IOException e) {
        String what = e.getClass().getSimpleName().replace("Exception", "");
        return e.getMessage() == null ? what : what + " " + e.getMessage();
    }

    /** A file that cannot even be parsed: recorded once per distinct reason, as any refused version. */
    private PolicyProblem refused(String reason, int line, int column, String what) {
        PolicyProblem p = new PolicyProblem(path.toString(), List.of(new PolicyProblem.Mistake(line, column, what)));
        refuse(reason, null, p);
        return p;
    }

    private boolean load(String text, boolean atStart) throws PolicyProblem {
        String version = PolicyParser.version(text);
        if (version.equals(lastRead)) {
            return false;
        }
        PolicySet before = engine.policy();
        if (before != null && before.version().equals(version)) {
            // Back to the version in force (after a moment without a readable file): nothing to change.
            lastRead = version;
            status = new Status(path, before, status.loadedAt(), null, null, null);
            return false;
        }
        PolicySet set;
        try {
            set = PolicyParser.parse(text, path.toString(), environment);
        } catch (PolicyProblem e) {
            refuse(version, version, e);
            throw e;
        }
        engine.install(set);
        lastRead = version;
        Instant now = clock.instant();
        status = new Status(path, set, now, null, null, null);
        String summary = set.roleNames().size() + " roles, " + set.ruleNames().size() + " rules";
        String message = atStart || before == null ? "loaded: " + summary
                : "reloaded: " + summary + "; replaces version " + before.version();
        LOG.infof("policy file %s version %s %s", path, version, message);
        audit.accept(new AuditEvent.PolicyReloaded(now, path.toString(), version, true, message));
        return true;
    }

    private void refuse(String seen, String version, PolicyProblem problem) {
        if (seen.equals(lastRead)) {
            return;
        }
        lastRead = seen;
        Instant now = clock.instant();
        Status was = status;
        status = new Status(path, was.inForce(), was.loadedAt(), version, problem.getMessage(), now);
        String stays = was.inForce() == null ? "no policy is in force" : "version " + was.inForce().version() + " stays in force";
        LOG.errorf("policy file %s refused (%s):%n%s", path, stays, problem.getMessage());
        audit.accept(new AuditEvent.PolicyReloaded(now, path.toString(), version, false,
                "refused; " + stays + ": " + problem.getMessage()));
    }

    @Override
    public synchronized void close() {
        if (watch != null) {
            watch.close();
            watch = null;
        }
    }
}
