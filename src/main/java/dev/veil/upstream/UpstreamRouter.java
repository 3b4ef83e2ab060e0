package dev.veil.upstream;

import dev.veil.analysis.Dialect;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Optional;

/**
 * Which upstream and database a client goes to, for either wire. A client names {@code upstream/database} as
 * its database (PostgreSQL) or schema (MySQL) to choose an upstream; a plain name goes to the listener's default
 * upstream, or to the only upstream of the client's dialect.
 */
@ApplicationScoped
public class UpstreamRouter {
    private final UpstreamRegistry upstreams;

    public UpstreamRouter(UpstreamRegistry upstreams) {
        this.upstreams = upstreams;
    }

    /** An upstream and the database the session starts in there (null: MySQL without a default schema). */
    public record Route(UpstreamSettings upstream, String database) {
    }

    /**
     * The route for the database a client asked for ({@code null} or empty: none). {@code defaultUpstream} is the
     * listener's configured default. Refusals are FATAL / errno 1049 naming what to configure or connect to.
     */
    public Route route(Dialect dialect, String requested, Optional<String> defaultUpstream) {
        if (requested != null) {
            int slash = requested.indexOf('/');
            if (slash > 0) {
                String name = requested.substring(0, slash);
                UpstreamSettings u = upstreams.find(name).filter(s -> s.dialect() == dialect)
                        .orElseThrow(() -> VeilException.fatal(ErrorCode.UNKNOWN_DATABASE, dialect == Dialect.MYSQL
                                ? "Unknown database '" + requested + "': no MySQL upstream named \"" + name + "\" is configured in Veil"
                                : "no PostgreSQL upstream named \"" + name + "\" is configured in Veil"));
                String db = requested.substring(slash + 1);
                // PostgreSQL always connects to some database; MySQL may start without a schema.
                return new Route(u, !db.isEmpty() ? db : dialect == Dialect.POSTGRESQL ? u.defaultDatabase() : null);
            }
        }
        return new Route(defaultUpstream(dialect, defaultUpstream), requested);
    }

    /** The upstream a client of {@code dialect} goes to when it names none. */
    public UpstreamSettings defaultUpstream(Dialect dialect, Optional<String> configured) {
        if (configured.isPresent()) {
            String name = configured.get();
            return upstreams.find(name).orElseThrow(() -> VeilException.fatal(ErrorCode.UNKNOWN_DATABASE,
                    "the default upstream \"" + name + "\" is not configured"));
        }
        List<UpstreamSettings> candidates = of(dialect);
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        boolean mysql = dialect == Dialect.MYSQL;
        throw VeilException.fatal(ErrorCode.UNKNOWN_DATABASE, candidates.isEmpty()
                ? (mysql ? "no MySQL or MariaDB upstream is configured in Veil" : "no PostgreSQL upstream is configured in Veil")
                : mysql ? "several MySQL upstreams are configured: connect to schema \"<upstream>/<schema>\" or set veil.mysql.default-upstream"
                : "several PostgreSQL upstreams are configured: connect to database \"<upstream>/<database>\" or set veil.pg.default-upstream");
    }

    /** Every configured upstream of {@code dialect}. */
    public List<UpstreamSettings> of(Dialect dialect) {
        return upstreams.all().stream().filter(u -> u.dialect() == dialect).toList();
    }
}
