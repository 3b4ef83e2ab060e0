package dev.veil.identity;

import org.junit.jupiter.api.Test;

import java.security.SecureRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Service accounts are configured as verifiers in PostgreSQL's pg_authid format. */
class ScramVerifierTest {
    @Test
    void aFormattedVerifierReadsBackAndStillChecksTheSecret() {
        ScramVerifier v = ScramVerifier.derive("s3cret", 4096, new SecureRandom());
        String text = v.format();
        assertThat(text).startsWith("SCRAM-SHA-256$4096:");
        ScramVerifier back = ScramVerifier.parse(text);
        assertThat(back.matches("s3cret")).isTrue();
        assertThat(back.matches("s3creT")).isFalse();
        assertThat(back.format()).isEqualTo(text);
    }

    @Test
    void readsTheLayoutPostgresqlStoresWithA12ByteSalt() {
        // pg_authid's layout, with the 12-byte salt PostgreSQL itself generates (Veil's own are 16 bytes).
        String fromPostgres = "SCRAM-SHA-256$4096:QSXCR+Q6sek8bf92$6PNnnUE14KDZvmqWKrXTCuCUKWZCEdXkTzjK3P4QsqE=:"
                + "m0z/X9YOzBBZD1dQyLA1vwnvd3vz62KuNixHmi5etmA=";
        ScramVerifier v = ScramVerifier.parse(fromPostgres);
        assertThat(v.iterations()).isEqualTo(4096);
        assertThat(v.salt()).hasSize(12);
    }

    @Test
    void refusesTextThatIsNotAVerifier() {
        assertThatThrownBy(() -> ScramVerifier.parse("md5abcdef")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SCRAM-SHA-256$iterations:salt$StoredKey:ServerKey");
        assertThatThrownBy(() -> ScramVerifier.parse("SCRAM-SHA-256$0:AAAA$AAAA:AAAA")).isInstanceOf(IllegalArgumentException.class);
    }
}
