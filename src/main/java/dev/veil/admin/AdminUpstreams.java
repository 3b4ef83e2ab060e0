package dev.veil.admin;

import dev.veil.analysis.Dialect;
import dev.veil.config.VeilConfig;
import dev.veil.upstream.UpstreamRegistry;
import dev.veil.upstream.UpstreamSettings;

import java.util.List;
import java.util.Optional;

/**
 * Which upstream an admin request about a database means: {@code upstream/database} names it, as database names do
 * on the wire; a bare database goes to the listener's default upstream of the dialect, or the only one of that kind.
 */
public final class AdminUpstreams {
    /** The upstream and the database within it; {@code upstream} empty when none matches. */
    public record Choice(Optional<UpstreamSettings> upstream, String database) {
    }

    private AdminUpstreams() {
    }

    public static Choice choose(UpstreamRegistry upstreams, VeilConfig config, Dialect dialect, String database) {
        Optional<UpstreamSettings> upstream;
        int slash = database == null ? -1 : database.indexOf('/');
        if (slash > 0) {
            upstream = upstreams.find(database.substring(0, slash));
            database = database.substring(slash + 1);
        } else {
            upstream = defaultUpstream(upstreams, config, dialect);
        }
        upstream = upstream.filter(u -> kindMatches(u, dialect));
        if (upstream.isPresent() && (database == null || database.isEmpty())) {
            database = upstream.get().defaultDatabase();
        }
        return new Choice(upstream, database);
    }

    private static Optional<UpstreamSettings> defaultUpstream(UpstreamRegistry upstreams, VeilConfig config, Dialect dialect) {
        Optional<String> configured = dialect == Dialect.POSTGRESQL ? config.pg().defaultUpstream() : config.mysql().defaultUpstream();
        if (configured.isPresent()) {
            return upstreams.find(configured.get());
        }
        List<UpstreamSettings> ofKind = upstreams.all().stream().filter(u -> kindMatches(u, dialect)).toList();
        return ofKind.size() == 1 ? Optional.of(ofKind.get(0)) : Optional.empty();
    }

    public static boolean kindMatches(UpstreamSettings u, Dialect dialect) {
        boolean pg = u.kind().equalsIgnoreCase("postgresql");
        return dialect == Dialect.POSTGRESQL ? pg : !pg;
    }
}
