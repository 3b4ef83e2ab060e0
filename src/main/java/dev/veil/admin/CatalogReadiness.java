package dev.veil.admin;

import dev.veil.upstream.catalog.CatalogRegistry;
import dev.veil.upstream.catalog.CatalogStatus;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Reports each catalog snapshot: fresh, or stale (known out of date, or a read failed). Always UP: a stale
 * catalog never stops statements; they are analysed with the previous snapshot, names it lacks as unknown.
 */
@Readiness
@ApplicationScoped
public class CatalogReadiness implements HealthCheck {
    private final CatalogRegistry catalogs;

    public CatalogReadiness(CatalogRegistry catalogs) {
        this.catalogs = catalogs;
    }

    @Override
    public HealthCheckResponse call() {
        var b = HealthCheckResponse.named("veil-catalogs").up()
                .withData("note", "a stale catalog does not make Veil un-ready: statements are analysed with the "
                        + "previous snapshot (names it lacks are unknown, and policy decides) while it is read again");
        for (CatalogStatus s : catalogs.status()) {
            b.withData("catalog." + s.upstream() + "/" + s.database(), describe(s));
        }
        return b.build();
    }

    private static String describe(CatalogStatus s) {
        if (!s.loaded()) {
            return s.problem() == null ? "loading"
                    : "stale: never read (" + s.problem() + "); statements are analysed without it (fail-closed)";
        }
        String snapshot = "version " + s.version() + " read " + Math.round(s.ageSeconds()) + " s ago";
        if (!s.stale()) {
            return "fresh: " + snapshot;
        }
        return "stale: " + (s.problem() == null ? "changed by DDL, read again when its transaction ends"
                : "read again failed (" + s.problem() + "), retrying") + "; in use: " + snapshot;
    }
}
