package dev.veil.audit;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

class AuditCodecTest {
    private final AuditCodec codec = new AuditCodec();

    @Test
    void aSealedLineIsItsJsonInUtf8HashedOverTheBodyClosedWithoutTheHashField() throws Exception {
        AuditEvent event = new AuditEvent.PolicyReloaded(Instant.parse("2026-12-07T10:00:00Z"), "policy.yaml",
                "v1", false, "règle « clients » inconnue: 顧客 🙈");
        AuditLine line = codec.seal(42, codec.serialise(event), "ab".repeat(32));

        String text = line.text();
        assertThat(line.utf8()).isEqualTo(text.getBytes(StandardCharsets.UTF_8));
        assertThat(text).startsWith("{\"seq\":42,\"type\":\"policy.reloaded\",")
                .contains("\"message\":\"règle « clients » inconnue: 顧客 🙈\"")
                .endsWith(",\"prev\":\"" + "ab".repeat(32) + "\",\"hash\":\"" + line.hash() + "\"}");

        String body = text.substring(0, text.indexOf(",\"hash\":\"")) + "}";
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(body.getBytes(StandardCharsets.UTF_8)));
        assertThat(line.hash()).isEqualTo(expected);

        AuditCodec.Parsed parsed = codec.parse(text);
        assertThat(parsed.valid()).isTrue();
        assertThat(parsed.seq()).isEqualTo(42);
        assertThat(parsed.hash()).isEqualTo(line.hash());
    }

    @Test
    void aLineReadBackAsTextKeepsItsBytes() {
        AuditLine line = AuditLine.ofText(7, "checkpoint", Instant.EPOCH, null, "h", "{\"note\":\"é\"}");
        assertThat(line.utf8()).containsExactly('{', '"', 'n', 'o', 't', 'e', '"', ':', '"', 0xC3 - 256, 0xA9 - 256, '"', '}');
        assertThat(line.text()).isEqualTo("{\"note\":\"é\"}");
    }
}
