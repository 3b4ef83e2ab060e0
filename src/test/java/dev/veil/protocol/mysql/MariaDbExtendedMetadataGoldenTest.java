package dev.veil.protocol.mysql;

import dev.veil.testing.GoldenHex;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.veil.protocol.mysql.Capabilities.CONNECT_WITH_DB;
import static dev.veil.protocol.mysql.Capabilities.LONG_PASSWORD;
import static dev.veil.protocol.mysql.Capabilities.MARIADB_EXTENDED_METADATA;
import static dev.veil.protocol.mysql.Capabilities.PLUGIN_AUTH;
import static dev.veil.protocol.mysql.Capabilities.PROTOCOL_41;
import static dev.veil.protocol.mysql.Capabilities.SECURE_CONNECTION;
import static dev.veil.protocol.mysql.Capabilities.SSL;
import static dev.veil.testing.GoldenHex.hex;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * MariaDB's extended capabilities and the column definitions of MARIADB_CLIENT_EXTENDED_METADATA, against the
 * bytes of mariadb.com "Connection" and "Result Set Packets" (the column definitions are what MariaDB 11.4 sent).
 */
class MariaDbExtendedMetadataGoldenTest {
    private static final int CAPS = CONNECT_WITH_DB | PROTOCOL_41 | SECURE_CONNECTION | PLUGIN_AUTH;
    private static final byte[] AUTH_1_TO_20 = new byte[20];

    static {
        for (int i = 0; i < 20; i++) {
            AUTH_1_TO_20[i] = (byte) (i + 1);
        }
    }

    private static void assertEncodesAs(Buffer encoded, String name) {
        assertThat(hex(encoded)).as("golden/mysql/%s.hex", name).isEqualTo(hex(GoldenHex.load("mysql", name)));
    }

    @Test
    void aHandshakeResponseWithoutClientMysqlCarriesTheExtendedCapabilities() {
        HandshakeResponse41 r = new HandshakeResponse41(CAPS, 0x01000000L, 45, "veil", AUTH_1_TO_20, "shop",
                "mysql_native_password", Map.of(), MARIADB_EXTENDED_METADATA);
        assertEncodesAs(r.encode(), "handshake-response-41-mariadb-extended");
        HandshakeResponse41 decoded = HandshakeResponse41.decode(GoldenHex.buffer("mysql", "handshake-response-41-mariadb-extended"));
        assertThat(decoded.mariaDbCapabilities()).isEqualTo(MARIADB_EXTENDED_METADATA);
        assertThat(decoded.capabilities()).isEqualTo(CAPS);
        assertThat(decoded.user()).isEqualTo("veil");
        assertThat(decoded.database()).isEqualTo("shop");
    }

    @Test
    void withClientMysqlTheReservedBytesAreNeitherReadNorWritten() {
        Buffer b = GoldenHex.buffer("mysql", "handshake-response-41-mariadb-extended");
        b.setByte(0, (byte) (b.getByte(0) | LONG_PASSWORD));
        assertThat(HandshakeResponse41.decode(b).mariaDbCapabilities()).as("a MySQL client's filler").isZero();
        Buffer encoded = new HandshakeResponse41(CAPS | LONG_PASSWORD, 0x01000000L, 45, "veil", AUTH_1_TO_20, "shop",
                "mysql_native_password", Map.of(), MARIADB_EXTENDED_METADATA).encode();
        assertThat(encoded.getIntLE(28)).isZero();
    }

    @Test
    void anSslRequestCarriesTheExtendedCapabilitiesToo() {
        SSLRequest r = new SSLRequest(CAPS & ~CONNECT_WITH_DB | SSL, 0x01000000L, 45, MARIADB_EXTENDED_METADATA);
        assertEncodesAs(r.encode(), "ssl-request-mariadb-extended");
        SSLRequest decoded = SSLRequest.decode(GoldenHex.buffer("mysql", "ssl-request-mariadb-extended"));
        assertThat(decoded).isEqualTo(r);
    }

    @Test
    void columnDefinitionsWithExtendedMetadataNameTheDataTypeOrFormat() {
        List<ColumnDefinition> columns = definitions(true);
        assertThat(columns).extracting(ColumnDefinition::name).containsExactly("js", "u", "id");
        assertThat(columns).extracting(ColumnDefinition::extendedFormat).containsExactly("json", null, null);
        assertThat(columns).extracting(ColumnDefinition::extendedType).containsExactly(null, "uuid", null);
        assertThat(columns).extracting(ColumnDefinition::typeName).containsExactly("json", "uuid", null);
        // The fixed fields after the block are read where they are.
        assertThat(columns).extracting(ColumnDefinition::type).containsExactly(0xfc, 0xfe, 0x03);
        assertThat(columns).extracting(ColumnDefinition::characterSet).containsExactly(45, 45, 63);
        assertThat(columns).extracting(ColumnDefinition::columnLength).containsExactly(0xffffffffL, 0x90L, 11L);
        assertThat(columns).extracting(ColumnDefinition::flags).containsExactly(0x0090, 0x00a0, 0x5003);
    }

    @Test
    void readWithoutExtendedMetadataTheBlockWouldBeTakenForTheFixedFields() {
        // Why the relay must know what the client negotiated: the same bytes, read the plain way, are wrong.
        List<ColumnDefinition> plain = definitions(false);
        assertThat(plain).extracting(ColumnDefinition::type).doesNotContain(0xfc);
    }

    /** The three definitions of the golden file, one after the other, each decoded from its own window. */
    private static List<ColumnDefinition> definitions(boolean extended) {
        Buffer all = GoldenHex.buffer("mysql", "column-definitions-extended-metadata");
        List<ColumnDefinition> out = new ArrayList<>();
        int pos = 0;
        for (int end : new int[]{39, 76, 109}) {
            out.add(ColumnDefinition.decode(all, pos, end - pos, extended));
            pos = end;
        }
        assertThat(pos).isEqualTo(all.length());
        return out;
    }
}
