package dev.veil.upstream.catalog;

import dev.veil.analysis.Analysis;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.StatementAnalyzer;
import dev.veil.analysis.catalog.RelationInfo;
import dev.veil.analysis.catalog.RoutineInfo;
import dev.veil.analysis.lineage.Lineage;
import dev.veil.demo.DemoPostgres;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Loads the catalog of the real embedded PostgreSQL holding the seeded shop database. */
@Tag("servers")
class PgCatalogLoaderTest {
    private static DemoPostgres postgres;
    private static Vertx vertx;

    @BeforeAll
    static void start() throws Exception {
        postgres = DemoPostgres.start(0);
        vertx = Vertx.vertx();
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl("shop"), postgres.user(), "");
             Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS reporting");
            st.execute("CREATE OR REPLACE VIEW reporting.order_mail AS SELECT o.id, c.email::text AS mail "
                    + "FROM public.orders o JOIN public.customers c ON c.id = o.customer_id");
        }
    }

    @AfterAll
    static void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
        postgres.close();
    }

    private static PgConnectOptions options() {
        return new PgConnectOptions().setHost(postgres.host()).setPort(postgres.port())
                .setDatabase("shop").setUser(postgres.user()).setPassword("");
    }

    private static LoadedCatalog load(long version) throws Exception {
        return new PgCatalogLoader(vertx).load(options(), version).toCompletionStage().toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
    }

    @Test
    void readsTablesColumnsTypesAndNullability() throws Exception {
        LoadedCatalog loaded = load(7);
        assertThat(loaded.snapshot().version()).isEqualTo(7);
        assertThat(loaded.snapshot().database()).isEqualTo("shop");
        RelationInfo customers = loaded.snapshot().relation("public", "customers").orElseThrow();
        assertThat(customers.kind()).isEqualTo(RelationInfo.Kind.TABLE);
        assertThat(customers.columns()).extracting(c -> c.name()).containsExactly("id", "full_name", "email",
                "phone", "ssn", "card_number", "birth_date", "city", "created_at");
        assertThat(customers.columns().get(0).type()).isEqualTo("int4");
        assertThat(customers.columns().get(8).type()).isEqualTo("timestamptz");
        assertThat(customers.columns().get(2).nullable()).isFalse();
    }

    @Test
    void readsViewsWithTheirDefinitionsAndTheSearchPath() throws Exception {
        LoadedCatalog loaded = load(1);
        RelationInfo view = loaded.snapshot().relation("public", "customer_contacts").orElseThrow();
        assertThat(view.kind()).isEqualTo(RelationInfo.Kind.VIEW);
        assertThat(view.viewSql()).containsIgnoringCase("FROM public.customers");
        assertThat(loaded.defaultNames().schemaPath()).containsExactly("public");
        assertThat(loaded.snapshot().relations()).noneMatch(r -> r.schema().equals("pg_toast"));
    }

    @Test
    void lineageGoesThroughLoadedViewsToBaseColumns() throws Exception {
        LoadedCatalog loaded = load(1);
        StatementAnalyzer analyzer = new StatementAnalyzer();
        Analysis contacts = analyzer.analyze(Dialect.POSTGRESQL, loaded.snapshot(),
                loaded.defaultNames(), "SELECT email FROM customer_contacts");
        assertThat(contacts.lineage(0)).isInstanceOfSatisfying(Lineage.Known.class,
                k -> assertThat(k.columns()).extracting(c -> c.qualified()).containsExactly("public.customers.email"));
        Analysis nested = analyzer.analyze(Dialect.POSTGRESQL, loaded.snapshot(),
                loaded.defaultNames(), "SELECT mail FROM reporting.order_mail");
        assertThat(nested.lineage(0)).as(nested.toString()).isInstanceOfSatisfying(Lineage.Known.class,
                k -> assertThat(k.columns()).extracting(c -> c.qualified()).containsExactly("public.customers.email"));
    }

    @Test
    void aLockHeldOnAViewMakesTheLoadFailInsteadOfWaitingForIt() throws Exception {
        try (Connection holder = DriverManager.getConnection(postgres.jdbcUrl("shop"), postgres.user(), "")) {
            holder.setAutoCommit(false);
            holder.createStatement().execute("LOCK TABLE reporting.order_mail IN ACCESS EXCLUSIVE MODE");
            // pg_get_viewdef needs the view's lock: without lock_timeout the load waits until the holder ends.
            assertThatThrownBy(() -> load(2)).isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("lock timeout");
            holder.rollback();
        }
        assertThat(load(3).snapshot().relation("reporting", "order_mail")).isPresent();
    }

    @Test
    void readsFunctionsByOidWithWhetherTheyOnlyRead() throws Exception {
        Map<Long, RoutineInfo> routines = new PgCatalogLoader(vertx).routines(options())
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        long lowrite;
        long lower;
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl("shop"), postgres.user(), "");
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT 'lowrite(integer,bytea)'::regprocedure::oid::int8, "
                     + "'lower(text)'::regprocedure::oid::int8")) {
            assertThat(rs.next()).isTrue();
            lowrite = rs.getLong(1);
            lower = rs.getLong(2);
        }
        assertThat(routines.get(lowrite)).isEqualTo(new RoutineInfo(lowrite, "pg_catalog", "lowrite", false));
        assertThat(routines.get(lower)).as("immutable").isEqualTo(new RoutineInfo(lower, "pg_catalog", "lower", true));
        assertThat(routines).hasSizeGreaterThan(1000);
    }
}
