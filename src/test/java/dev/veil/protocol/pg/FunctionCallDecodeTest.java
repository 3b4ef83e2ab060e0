package dev.veil.protocol.pg;

import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** FunctionCall 'F' from golden bytes: the fields, and every way a body can lie about its own length. */
class FunctionCallDecodeTest {
    /**
     * pg_read_file(text) (oid 2624) with one text argument 'PG_VERSION', text result: oid, 1 format code (0),
     * 1 argument of 10 bytes, result format 0.
     */
    private static final String READ_FILE = "46 0000001e 00000a40 0001 0000 0001 0000000a 50475f56455253494f4e 0000";

    private static FunctionCall decode(String hex) {
        return FunctionCall.decode(PgFrame.of(Buffer.buffer(GoldenBytes.parse(hex))));
    }

    @Test
    void decodesTheOidTheArgumentsAndTheResultFormat() {
        FunctionCall call = decode(READ_FILE);
        assertThat(call.functionOid()).isEqualTo(2624);
        assertThat(call.renderedArguments()).containsExactly("PG_VERSION");
        assertThat(call.resultFormat()).isEqualTo((short) 0);
    }

    @Test
    void rendersNullAndBinaryArguments() {
        // oid 955 (lowrite), format codes [1, 1], arguments: NULL and 0x0102, binary result
        FunctionCall call = decode("46 0000001c 000003bb 0002 0001 0001 0002 ffffffff 00000002 0102 0001");
        assertThat(call.renderedArguments()).containsExactly(null, "\\x0102");
    }

    @Test
    void anArgumentRunningPastTheEndIsAProtocolViolation() {
        assertThatThrownBy(() -> decode("46 00000014 00000a40 0000 0001 000000ff 5047 0000"))
                .isInstanceOf(VeilException.class)
                .satisfies(e -> assertThat(((VeilException) e).code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION))
                .hasMessageContaining("invalid FunctionCall message: argument 1 runs past the end of the message");
    }

    @Test
    void aCountTheBodyCannotHoldIsRefusedBeforeAnythingIsAllocated() {
        assertThatThrownBy(() -> decode("46 0000000c 00000a40 0000 ffff"))
                .isInstanceOf(VeilException.class).hasMessageContaining("it declares 65535 arguments but only 0 bytes follow");
    }

    @Test
    void aTruncatedBodyAndTrailingBytesAreRefused() {
        assertThatThrownBy(() -> decode("46 0000000a 00000a40 0000"))
                .isInstanceOf(VeilException.class).hasMessageContaining("argument count runs past the end of the message");
        assertThatThrownBy(() -> decode("46 0000000f 00000a40 0000 0000 0000 ff"))
                .isInstanceOf(VeilException.class).hasMessageContaining("1 bytes follow its last field");
        assertThatThrownBy(() -> decode("46 00000012 00000a40 0000 0001 fffffffe 0000"))
                .isInstanceOf(VeilException.class).hasMessageContaining("argument 1 has length -2");
    }

    @Test
    void formatCodesMustBeNoneOneOrOnePerArgument() {
        assertThatThrownBy(() -> decode("46 00000016 00000a40 0002 0000 0000 0001 ffffffff 0000"))
                .isInstanceOf(VeilException.class).hasMessageContaining("2 argument format codes for 1 arguments");
    }

    @Test
    void theGoldenMessageIsWhatItSaysItIs() {
        byte[] bytes = GoldenBytes.parse(READ_FILE);
        assertThat(bytes.length).isEqualTo(1 + 0x1e);
        assertThat(Arrays.copyOfRange(bytes, 19, 29)).isEqualTo("PG_VERSION".getBytes());
    }
}
