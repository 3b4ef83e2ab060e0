package dev.veil.testing;

import dev.veil.demo.DemoPostgres;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * The one place tests get upstream servers from: a container when a Docker engine answers (and then
 * VEIL_TEST_PG_IMAGE picks the server version), the embedded binaries otherwise. The same tests run
 * either way. VEIL_TEST_UPSTREAM=embedded|testcontainers forces one ({@link DockerEngine}).
 */
public final class UpstreamServers {
    private UpstreamServers() {
    }

    public static PostgresServer startPostgres() throws Exception {
        return DockerEngine.useContainers() ? container() : embedded();
    }

    private static PostgresServer embedded() throws Exception {
        DemoPostgres pg = DemoPostgres.start(0);
        return new PostgresServer() {
            public String host() { return pg.host(); }
            public int port() { return pg.port(); }
            public String superuser() { return pg.user(); }
            public String superuserPassword() { return ""; }
            public String description() { return "embedded PostgreSQL on " + pg.host() + ":" + pg.port(); }
            public void close() { pg.close(); }
        };
    }

    @SuppressWarnings("resource")
    private static PostgresServer container() throws Exception {
        String image = System.getenv().getOrDefault("VEIL_TEST_PG_IMAGE", "postgres:16-alpine");
        PostgreSQLContainer<?> c = new PostgreSQLContainer<>(image).withDatabaseName("postgres")
                .withUsername("postgres").withPassword("postgres");
        c.start();
        PostgresServer server = new PostgresServer() {
            public String host() { return c.getHost(); }
            public int port() { return c.getMappedPort(5432); }
            public String superuser() { return "postgres"; }
            public String superuserPassword() { return "postgres"; }
            public String description() { return image + " in a container on " + host() + ":" + port(); }
            public void close() { c.stop(); }
        };
        try (var conn = server.connectAsSuperuser("postgres")) {
            dev.veil.demo.DemoPostgres.createDatabase(conn, "shop");
        }
        try (var conn = server.connectAsSuperuser("shop")) {
            new dev.veil.demo.ShopSeeder(dev.veil.demo.ShopSeeder.Dialect.POSTGRESQL, dev.veil.demo.ShopData.generate()).seed(conn);
        }
        return server;
    }
}
