package dev.veil.identity;

import dev.veil.config.VeilConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Slows password and token guessing down without ever locking anyone out (veil.identity.login-throttle).
 * Failed logins are counted per client address and per user name. Once either count reaches
 * {@code free-failures}, the next attempt waits {@code first-delay} before its secret is even read, and each
 * further failure doubles the wait, up to a cap. Every surface asks {@link #admit} before it reads a secret (the
 * wires before asking for it, HTTP before the request reaches the admin API); the answer is a future completed
 * by a Vert.x timer, so no thread waits.
 *
 * <p>Why an attacker cannot turn it against a real user:
 * <ul>
 * <li>The address count is the attacker's own. Its cap ({@code max-delay}) stays below the listeners'
 * authentication timeout, so even from that address the right secret still gets in, only later.</li>
 * <li>The user-name count (over all addresses) exists to slow a guesser who spreads over many addresses, and
 * is capped low ({@code user-max-delay}, 2 s): someone guessing at alice's password from elsewhere makes her
 * logins at most that much slower, never refused.</li>
 * <li>A success resets the user name's count and removes that name's failures from the address count; the
 * failures the address had for other names stay, so logging in with one's own account does not wash the
 * guesses at someone else's.</li>
 * <li>The wait depends on the name and the address only, never on whether the account exists, so wrong password
 * and unknown user still look alike, timing included.</li>
 * </ul>
 * Counts are forgotten {@code forget-after} the last failure. At most {@link #MAX_TRACKED} addresses and as many
 * names are kept (the longest without a failure go first), and per address at most {@link #MAX_NAMES_PER_SOURCE}
 * names, further ones counted together; long names are kept as a digest. Thread-safe.
 */
@ApplicationScoped
public class LoginThrottle {
    static final int MAX_TRACKED = 10_000;
    static final int MAX_NAMES_PER_SOURCE = 64;
    private static final int MAX_KEY_CHARS = 128;

    /** The settings; {@link #OFF} never delays. */
    public record Limits(boolean enabled, int freeFailures, Duration firstDelay, Duration maxDelay, Duration userMaxDelay,
                         Duration forgetAfter) {
        public static final Limits OFF = new Limits(false, 1, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1));

        public static Limits of(VeilConfig.LoginThrottle c) {
            return new Limits(c.enabled(), c.freeFailures(), c.firstDelay(), c.maxDelay(), c.userMaxDelay(), c.forgetAfter());
        }
    }

    /** Failures from one address: per user name, so that a success can take its own back out. */
    private static final class SourceCount {
        final Map<String, Integer> byName = new LinkedHashMap<>();
        int total;
        Instant last;
    }

    private static final class NameCount {
        int failures;
        Instant last;
    }

    /** The share of an address's count that no name owns (no name given, or past MAX_NAMES_PER_SOURCE). */
    private static final String UNNAMED = "";

    private final Limits limits;
    private final Clock clock;
    private final Vertx vertx;
    // Insertion order is the order of last failure (an entry is re-inserted on each one): the eldest go first.
    private final LinkedHashMap<String, SourceCount> sources = new LinkedHashMap<>();
    private final LinkedHashMap<String, NameCount> names = new LinkedHashMap<>();
    private final Timer delays;
    private final Counter delayed;

    @Inject
    public LoginThrottle(VeilConfig config, Clock clock, Vertx vertx, MeterRegistry metrics) {
        this(Limits.of(config.identity().loginThrottle()), clock, vertx, metrics);
    }

    /** {@code metrics} may be null (no meters, in tests). */
    public LoginThrottle(Limits limits, Clock clock, Vertx vertx, MeterRegistry metrics) {
        this.limits = limits;
        this.clock = clock;
        this.vertx = vertx;
        this.delays = metrics == null ? null : Timer.builder("veil.auth.throttle.delay")
                .description("Waits imposed on login attempts after failed logins (veil.identity.login-throttle)").register(metrics);
        this.delayed = metrics == null ? null : Counter.builder("veil.auth.throttled")
                .description("Login attempts that waited because of failed logins (veil.identity.login-throttle)").register(metrics);
    }

    /**
     * Completes when an attempt from {@code source} as {@code user} (null when not known yet, e.g. a bearer token)
     * may be judged: at once, or after the delay on a timer of the caller's context.
     */
    public Future<Void> admit(String source, String user) {
        Duration wait = delay(source, user);
        if (wait.isZero()) {
            return Future.succeededFuture();
        }
        if (delays != null) {
            delays.record(wait);
            delayed.increment();
        }
        Promise<Void> admitted = Promise.promise();
        vertx.setTimer(Math.max(1, wait.toMillis()), id -> admitted.complete());
        return admitted.future();
    }

    /** How long the next attempt from {@code source} as {@code user} waits: the longer of the two counts' delays. */
    public synchronized Duration delay(String source, String user) {
        if (!limits.enabled()) {
            return Duration.ZERO;
        }
        Instant now = clock.instant();
        SourceCount s = live(sources, sourceKey(source), now, c -> c.last);
        NameCount n = user == null ? null : live(names, nameKey(user), now, c -> c.last);
        Duration bySource = backoff(s == null ? 0 : s.total, limits.maxDelay());
        Duration byName = backoff(n == null ? 0 : n.failures, limits.userMaxDelay());
        return bySource.compareTo(byName) >= 0 ? bySource : byName;
    }

    /** A secret was refused: from {@code source}, for {@code user} (null when no name was given). */
    public synchronized void failed(String source, String user) {
        if (!limits.enabled()) {
            return;
        }
        Instant now = clock.instant();
        String sourceKey = sourceKey(source);
        String nameKey = user == null ? null : nameKey(user);
        SourceCount s = live(sources, sourceKey, now, c -> c.last);
        if (s == null) {
            s = new SourceCount();
        }
        sources.remove(sourceKey);
        s.last = now;
        s.total++;
        String share = nameKey == null || (!s.byName.containsKey(nameKey) && s.byName.size() >= MAX_NAMES_PER_SOURCE)
                ? UNNAMED : nameKey;
        s.byName.merge(share, 1, Integer::sum);
        put(sources, sourceKey, s);
        if (nameKey != null) {
            NameCount n = live(names, nameKey, now, c -> c.last);
            if (n == null) {
                n = new NameCount();
            }
            names.remove(nameKey);
            n.failures++;
            n.last = now;
            put(names, nameKey, n);
        }
    }

    /** {@code user} proved who they are from {@code source}. */
    public synchronized void succeeded(String source, String user) {
        if (!limits.enabled() || user == null) {
            return;
        }
        String nameKey = nameKey(user);
        names.remove(nameKey);
        SourceCount s = sources.get(sourceKey(source));
        if (s != null) {
            Integer own = s.byName.remove(nameKey);
            if (own != null) {
                s.total -= own;
            }
            if (s.total <= 0) {
                sources.remove(sourceKey(source));
            }
        }
    }

    synchronized int trackedSources() {
        return sources.size();
    }

    synchronized int trackedNames() {
        return names.size();
    }

    /** No wait before free-failures; then first-delay, doubling with each failure, up to {@code cap}. */
    private Duration backoff(int failures, Duration cap) {
        if (failures < limits.freeFailures()) {
            return Duration.ZERO;
        }
        int doublings = Math.min(failures - limits.freeFailures(), 40);
        Duration d = limits.firstDelay();
        for (int i = 0; i < doublings && d.compareTo(cap) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(cap) > 0 ? cap : d;
    }

    private <T> T live(LinkedHashMap<String, T> table, String key, Instant now, Function<T, Instant> last) {
        T entry = table.get(key);
        if (entry != null && !now.isBefore(last.apply(entry).plus(limits.forgetAfter()))) {
            table.remove(key);
            return null;
        }
        return entry;
    }

    private static <T> void put(LinkedHashMap<String, T> table, String key, T entry) {
        table.put(key, entry);
        if (table.size() > MAX_TRACKED) {
            table.remove(table.keySet().iterator().next());
        }
    }

    private static String sourceKey(String source) {
        return source == null ? "" : source;
    }

    /** The name itself, or for a long one (a client may send kilobytes) a digest of it. */
    private static String nameKey(String user) {
        if (user.length() <= MAX_KEY_CHARS) {
            return "=" + user;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(user.getBytes(StandardCharsets.UTF_8));
            return "#" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
