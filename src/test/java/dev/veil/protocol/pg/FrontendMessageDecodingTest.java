package dev.veil.protocol.pg;

import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Client messages whose fields do not fit their bytes (truncated, negative lengths, counts the message cannot
 * hold, bytes after the last field) are protocol violations naming the message and the field, as the server
 * reports them (FATAL 08P01), never an index error that would surface as XX000.
 */
class FrontendMessageDecodingTest {

    private static PgFrame frame(char type, Buffer body) {
        return PgFrame.of(Buffer.buffer().appendByte((byte) type).appendInt(4 + body.length()).appendBuffer(body));
    }

    private static Buffer cstrings(String... values) {
        Buffer b = Buffer.buffer();
        for (String v : values) {
            b.appendBytes(v.getBytes(StandardCharsets.UTF_8)).appendByte((byte) 0);
        }
        return b;
    }

    private static String violation(Function<PgFrame, ?> decoder, PgFrame frame) {
        try {
            decoder.apply(frame);
        } catch (VeilException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
            assertThat(e.fatal()).isTrue();
            return e.getMessage();
        }
        throw new AssertionError("expected a protocol violation");
    }

    @Test
    void aWellFormedBindDecodesItsValuesAndFormats() {
        Buffer body = cstrings("p1", "s1").appendShort((short) 2).appendShort((short) 0).appendShort((short) 1)
                .appendShort((short) 2).appendInt(2).appendString("42").appendInt(-1)
                .appendShort((short) 1).appendShort((short) 1);

        FrontendMessage.Bind bind = FrontendMessage.Bind.decode(frame('B', body));

        assertThat(bind.portal()).isEqualTo("p1");
        assertThat(bind.statementName()).isEqualTo("s1");
        assertThat(bind.formats()).containsExactly((short) 0, (short) 1);
        assertThat(bind.renderedParameters()).containsExactly("42", null);
    }

    @Test
    void aBindWithFewerValuesThanItsParameterCountIsAViolation() {
        Buffer body = cstrings("", "").appendShort((short) 0).appendShort((short) 3)
                .appendInt(1).appendString("a").appendInt(1).appendString("b").appendShort((short) 0);

        assertThat(violation(FrontendMessage.Bind::decode, frame('B', body)))
                .isEqualTo("invalid Bind message: parameter count 3 but only 2 values");
    }

    @Test
    void aBindValueLongerThanTheMessageIsAViolation() {
        Buffer body = cstrings("", "").appendShort((short) 0).appendShort((short) 1).appendInt(100).appendString("abc");

        assertThat(violation(FrontendMessage.Bind::decode, frame('B', body))).isEqualTo("invalid Bind message: parameter 1 of 1"
                + " declares 100 bytes, which run past the end of the message (3 bytes left)");
    }

    @Test
    void aBindValueWithANegativeLengthOtherThanNullIsAViolation() {
        Buffer body = cstrings("", "").appendShort((short) 0).appendShort((short) 1).appendInt(-5).appendShort((short) 0);

        assertThat(violation(FrontendMessage.Bind::decode, frame('B', body)))
                .isEqualTo("invalid Bind message: parameter 1 has length -5 (only -1, for NULL, may be negative)");
    }

    @Test
    void aBindWithSeveralFormatCodesButNotOnePerParameterIsAViolation() {
        Buffer body = cstrings("", "").appendShort((short) 2).appendShort((short) 0).appendShort((short) 0)
                .appendShort((short) 3).appendInt(-1).appendInt(-1).appendInt(-1).appendShort((short) 0);

        assertThat(violation(FrontendMessage.Bind::decode, frame('B', body)))
                .isEqualTo("invalid Bind message: it has 2 parameter format codes but 3 parameters");
    }

    @Test
    void aBindCountTheMessageCannotHoldIsRefusedBeforeAnythingIsAllocatedForIt() {
        Buffer body = cstrings("", "").appendShort((short) 0xffff);

        assertThat(violation(FrontendMessage.Bind::decode, frame('B', body)))
                .isEqualTo("invalid Bind message: it declares 65535 parameter format codes but only 0 bytes follow");
    }

    @Test
    void aBindCutBeforeItsResultFormatsIsAViolation() {
        Buffer body = cstrings("", "").appendShort((short) 0).appendShort((short) 0);

        assertThat(violation(FrontendMessage.Bind::decode, frame('B', body))).isEqualTo("invalid Bind message: the number of"
                + " result format codes runs past the end of the message (2 bytes needed, 0 left)");
    }

    @Test
    void bytesAfterTheLastFieldOfABindAreAViolation() {
        Buffer body = cstrings("", "").appendShort((short) 0).appendShort((short) 0).appendShort((short) 0).appendShort((short) 7);

        assertThat(violation(FrontendMessage.Bind::decode, frame('B', body)))
                .isEqualTo("invalid Bind message: 2 bytes follow its last field");
    }

    @Test
    void aBindWithoutItsStatementNameIsAViolation() {
        assertThat(violation(FrontendMessage.Bind::decode, frame('B', cstrings("portal"))))
                .isEqualTo("invalid Bind message: the statement name runs past the end of the message (no terminating zero byte)");
    }

    @Test
    void aWellFormedParseDecodesItsParameterTypes() {
        Buffer body = cstrings("s1", "SELECT $1").appendShort((short) 1).appendInt(23);

        FrontendMessage.Parse parse = FrontendMessage.Parse.decode(frame('P', body));

        assertThat(parse.statementName()).isEqualTo("s1");
        assertThat(parse.sql()).isEqualTo("SELECT $1");
        assertThat(parse.parameterTypes()).containsExactly(23);
    }

    @Test
    void aParseWhoseQueryIsNotTerminatedIsAViolation() {
        Buffer body = cstrings("s1").appendString("SELECT 1");

        assertThat(violation(FrontendMessage.Parse::decode, frame('P', body)))
                .isEqualTo("invalid Parse message: the query string runs past the end of the message (no terminating zero byte)");
    }

    @Test
    void aParseDeclaringMoreParameterTypesThanItCarriesIsAViolation() {
        Buffer body = cstrings("", "SELECT $1, $2, $3").appendShort((short) 3).appendInt(23);

        assertThat(violation(FrontendMessage.Parse::decode, frame('P', body)))
                .isEqualTo("invalid Parse message: it declares 3 parameter types but only 4 bytes follow");
    }

    @Test
    void anEmptyParseIsAViolation() {
        assertThat(violation(FrontendMessage.Parse::decode, frame('P', Buffer.buffer())))
                .isEqualTo("invalid Parse message: the statement name runs past the end of the message (no terminating zero byte)");
    }

    @Test
    void anExecuteCutInItsRowLimitIsAViolation() {
        Buffer body = cstrings("").appendShort((short) 0);

        assertThat(violation(FrontendMessage.Execute::decode, frame('E', body)))
                .isEqualTo("invalid Execute message: the row limit runs past the end of the message (4 bytes needed, 2 left)");
    }

    @Test
    void aCloseOfSomethingOtherThanAStatementOrPortalIsAViolation() {
        Buffer body = Buffer.buffer().appendByte((byte) 'X').appendBuffer(cstrings("s1"));

        assertThat(violation(FrontendMessage.Close::decode, frame('C', body)))
                .isEqualTo("invalid Close message: it closes 'X'; 'S' (a statement) or 'P' (a portal) expected");
        assertThat(violation(FrontendMessage.Close::decode, frame('C', Buffer.buffer())))
                .isEqualTo("invalid Close message: what to close runs past the end of the message (1 bytes needed, 0 left)");
    }

    @Test
    void aQueryWithoutItsTerminatorOrWithBytesAfterItIsAViolation() {
        assertThat(violation(FrontendMessage.Query::decode, frame('Q', Buffer.buffer("SELECT 1"))))
                .isEqualTo("invalid Query message: the query string runs past the end of the message (no terminating zero byte)");
        assertThat(violation(FrontendMessage.Query::decode, frame('Q', cstrings("SELECT 1", "x"))))
                .isEqualTo("invalid Query message: 2 bytes follow its last field");
    }

    @Test
    void aPasswordMessageWithBytesAfterThePasswordIsAViolation() {
        assertThat(violation(FrontendMessage.PasswordMessage::decode, frame('p', cstrings("secret", "more"))))
                .isEqualTo("invalid PasswordMessage message: 5 bytes follow its last field");
    }

    @Test
    void aSaslInitialResponseWhoseDataLengthDoesNotMatchIsAViolation() {
        Buffer body = cstrings("SCRAM-SHA-256").appendInt(10).appendString("abc");

        assertThat(violation(FrontendMessage.SASLInitialResponse::decode, frame('p', body)))
                .isEqualTo("invalid SASLInitialResponse message: data length 10 does not match the 3 bytes that follow");
    }
}
