package dev.veil.config;

import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;

/** An endpoint's TLS mode as the reactive PostgreSQL client applies it, with libpq's meaning of each mode. */
public final class PgClientTls {
    private PgClientTls() {
    }

    public static PgConnectOptions apply(PgConnectOptions options, EndpointTlsMode mode, String caFile) {
        options.setSslMode(SslMode.of(mode.sslmode()));
        switch (mode) {
            case DISABLE -> { }
            // libpq's prefer and require encrypt without checking the certificate.
            case PREFER, REQUIRE -> options.setTrustAll(true);
            case VERIFY_CA, VERIFY_FULL -> {
                if (caFile != null) {
                    options.setTrustOptions(new PemTrustOptions().addCertPath(caFile));
                }
                // verify-ca checks the chain only; verify-full also checks the host name.
                options.setHostnameVerificationAlgorithm(mode == EndpointTlsMode.VERIFY_FULL ? "HTTPS" : "");
            }
        }
        return options;
    }
}
