package dev.veil.testing;

import dev.veil.frontend.ServerCertificate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

/**
 * Prepares a test server the way a production upstream looks: login roles authenticated with SCRAM and
 * with md5, TLS switched on with a certificate the tests trust. Everything is done over SQL (COPY to a
 * file as superuser, ALTER SYSTEM, pg_reload_conf) so it works for the embedded binaries and containers.
 */
public final class UpstreamProvisioner {
    public static final String SCRAM_USER = "veil_scram";
    public static final String SCRAM_PASSWORD = "scram-upstream-secret";
    public static final String MD5_USER = "veil_md5";
    public static final String MD5_PASSWORD = "md5-upstream-secret";

    private UpstreamProvisioner() {
    }

    /** Returns the PEM file of the server certificate (self-signed, so it is also the CA to trust). */
    public static Path provision(PostgresServer server, Path workDir) throws Exception {
        ServerCertificate cert = ServerCertificate.selfSigned();
        Path caFile = workDir.resolve("upstream-ca.pem");
        Files.writeString(caFile, cert.chainPem());
        try (Connection c = server.connectAsSuperuser("postgres"); Statement st = c.createStatement()) {
            st.execute("SET password_encryption = 'scram-sha-256'");
            createRole(st, SCRAM_USER, SCRAM_PASSWORD);
            st.execute("SET password_encryption = 'md5'");
            createRole(st, MD5_USER, MD5_PASSWORD);
            String dataDir = value(st, "SHOW data_directory");
            String hba = value(st, "SHOW hba_file");
            writeLines(st, hba, List.of(
                    "local all all trust",
                    "host all " + SCRAM_USER + " all scram-sha-256",
                    "host all " + MD5_USER + " all md5",
                    "host all all all trust",
                    // physical replication connections match only "replication" (PgReplicationThroughVeilTest)
                    "host replication all all trust"));
            writeLines(st, dataDir + "/veil-test-server.crt", cert.chainPem().lines().toList());
            writeLines(st, dataDir + "/veil-test-server.key", cert.keyPem().lines().toList());
            st.execute("ALTER SYSTEM SET ssl_cert_file = 'veil-test-server.crt'");
            st.execute("ALTER SYSTEM SET ssl_key_file = 'veil-test-server.key'");
            st.execute("ALTER SYSTEM SET ssl = on");
            st.execute("SELECT pg_reload_conf()");
        }
        awaitTls(server);
        try (Connection c = server.connectAsSuperuser("shop"); Statement st = c.createStatement()) {
            for (String role : List.of(SCRAM_USER, MD5_USER)) {
                st.execute("GRANT ALL ON ALL TABLES IN SCHEMA public TO " + role);
                st.execute("GRANT ALL ON SCHEMA public TO " + role);
                st.execute("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO " + role);
            }
        }
        return caFile;
    }

    /** pg_reload_conf() only signals the postmaster: wait until new sessions see TLS switched on. */
    private static void awaitTls(PostgresServer server) throws Exception {
        for (int i = 0; i < 100; i++) {
            try (Connection c = server.connectAsSuperuser("postgres"); Statement st = c.createStatement()) {
                if ("on".equals(value(st, "SHOW ssl"))) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the test server did not switch TLS on; see its log for the certificate error");
    }

    private static void createRole(Statement st, String name, String password) throws Exception {
        st.execute("DROP ROLE IF EXISTS " + name);
        st.execute("CREATE ROLE " + name + " LOGIN CREATEDB PASSWORD '" + password + "'");
    }

    private static String value(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Writes a text file on the server host, one row per line (PEM has no characters COPY would escape). */
    private static void writeLines(Statement st, String path, List<String> lines) throws Exception {
        StringBuilder array = new StringBuilder("ARRAY[");
        for (int i = 0; i < lines.size(); i++) {
            array.append(i == 0 ? "" : ",").append('\'').append(lines.get(i).replace("'", "''")).append('\'');
        }
        array.append("]::text[]");
        // Through a shell with umask 077: COPY TO a file leaves it world-readable, and the server refuses
        // a private key with group or world access.
        String command = "umask 077; cat > '" + path.replace("'", "") + "'";
        st.execute("COPY (SELECT unnest(" + array + ")) TO PROGRAM '" + command.replace("'", "''") + "'");
    }
}
