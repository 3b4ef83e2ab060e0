package dev.veil.protocol.pg;

import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.veil.protocol.pg.GoldenBytes.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every message Veil writes, against bytes derived by hand from
 * https://www.postgresql.org/docs/current/protocol-message-formats.html (the golden files explain each
 * field), and every decoder fed with those same hand-made bytes.
 */
class PgMessageEncoderGoldenTest {

    private static void assertEncodesAs(Buffer encoded, String golden) {
        assertThat(hex(encoded)).as("golden/pg/%s.hex", golden).isEqualTo(hex(GoldenBytes.load(golden)));
    }

    private static PgFrame frame(String golden) {
        return PgFrame.of(GoldenBytes.buffer(golden));
    }

    private static Map<Character, String> fields(Object... tagsAndValues) {
        Map<Character, String> f = new LinkedHashMap<>();
        for (int i = 0; i < tagsAndValues.length; i += 2) {
            f.put((Character) tagsAndValues[i], (String) tagsAndValues[i + 1]);
        }
        return f;
    }

    @Nested
    class BackendEncoders {
        @Test
        void encodesAuthenticationOk() {
            assertEncodesAs(new Authentication.AuthenticationOk().encode(), "authentication-ok");
        }

        @Test
        void encodesAuthenticationCleartextPassword() {
            assertEncodesAs(new Authentication.AuthenticationCleartextPassword().encode(), "authentication-cleartext-password");
        }

        @Test
        void encodesAuthenticationMd5PasswordWithItsSalt() {
            assertEncodesAs(new Authentication.AuthenticationMD5Password(new byte[]{1, 2, 3, 4}).encode(),
                    "authentication-md5-password");
        }

        @Test
        void encodesAuthenticationSaslAsNulTerminatedMechanismsEndedByAnEmptyName() {
            assertEncodesAs(new Authentication.AuthenticationSASL(List.of("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256")).encode(),
                    "authentication-sasl");
        }

        @Test
        void encodesAuthenticationSaslContinueWithUnterminatedData() {
            assertEncodesAs(new Authentication.AuthenticationSASLContinue("r=abcdef,s=c2FsdA==,i=4096".getBytes()).encode(),
                    "authentication-sasl-continue");
        }

        @Test
        void encodesAuthenticationSaslFinalWithUnterminatedData() {
            assertEncodesAs(new Authentication.AuthenticationSASLFinal("v=c2lnbmF0dXJl".getBytes()).encode(),
                    "authentication-sasl-final");
        }

        @Test
        void encodesParameterStatusAsTwoCStrings() {
            assertEncodesAs(new ParameterStatus("server_version", "16.4").encode(), "parameter-status");
        }

        @Test
        void encodesBackendKeyDataKeepingTheSecretsSignBits() {
            assertEncodesAs(new BackendKeyData(12345, 0xdeadbeef).encode(), "backend-key-data");
        }

        @Test
        void encodesReadyForQueryWithTheTransactionStatus() {
            assertEncodesAs(new ReadyForQuery(ReadyForQuery.IDLE).encode(), "ready-for-query-idle");
            assertEncodesAs(new ReadyForQuery(ReadyForQuery.FAILED_TRANSACTION).encode(), "ready-for-query-failed-transaction");
        }

        @Test
        void encodesFatalVeilExceptionWithFatalSeverityAndItsSqlState() {
            VeilException e = VeilException.fatal(ErrorCode.AUTH_FAILED, "password authentication failed for user \"bob\"");
            assertEncodesAs(ErrorResponse.of(e).encode(), "error-response-fatal-auth-failed");
        }

        @Test
        void encodesNonFatalVeilExceptionWithErrorSeverity() {
            VeilException e = VeilException.error(ErrorCode.POLICY_DENIED, "denied");
            assertEncodesAs(ErrorResponse.of(e).encode(), "error-response-error-policy-denied");
        }

        @Test
        void encodesErrorResponseFieldsInMapOrder() {
            ErrorResponse error = new ErrorResponse(fields('S', "ERROR", 'C', "42P01", 'M', "relation \"t\" does not exist", 'P', "15"));
            assertEncodesAs(error.encode(), "error-response-fields");
        }

        @Test
        void encodesNegotiateProtocolVersionWithTheUnrecognizedOptions() {
            assertEncodesAs(new NegotiateProtocolVersion(StartupMessage.PROTOCOL_3_0, List.of("_pq_.compression")).encode(),
                    "negotiate-protocol-version");
        }
    }

    @Nested
    class FrontendEncoders {
        @Test
        void encodesStartupMessageParametersInOrderThenATerminator() {
            Map<String, String> params = new LinkedHashMap<>();
            params.put("user", "alice");
            params.put("database", "shop");
            params.put("application_name", "veil");
            assertEncodesAs(new StartupMessage(StartupMessage.PROTOCOL_3_0, params).encode(), "startup-message");
        }

        @Test
        void encodesSslRequest() {
            assertEncodesAs(new SSLRequest().encode(), "ssl-request");
        }

        @Test
        void encodesCancelRequest() {
            assertEncodesAs(new CancelRequest(12345, 0xdeadbeef).encode(), "cancel-request");
        }

        @Test
        void encodesPasswordMessage() {
            assertEncodesAs(new FrontendMessage.PasswordMessage("secret").encode(), "password-message");
        }

        @Test
        void encodesSaslInitialResponseWithItsDataLength() {
            assertEncodesAs(new FrontendMessage.SASLInitialResponse("SCRAM-SHA-256", "n,,n=,r=abcdef".getBytes()).encode(),
                    "sasl-initial-response");
        }

        @Test
        void encodesSaslInitialResponseWithoutDataAsLengthMinusOne() {
            assertEncodesAs(new FrontendMessage.SASLInitialResponse("SCRAM-SHA-256", null).encode(),
                    "sasl-initial-response-no-data");
        }

        @Test
        void encodesSaslResponse() {
            assertEncodesAs(new FrontendMessage.SASLResponse("c=biws,r=abcdef,p=cHJvb2Y=".getBytes()).encode(), "sasl-response");
        }

        @Test
        void encodesQueryCountingUtf8BytesNotCharacters() {
            assertEncodesAs(new FrontendMessage.Query("SELECT 'é'").encode(), "query");
        }

        @Test
        void encodesTerminate() {
            assertEncodesAs(FrontendMessage.terminate(), "terminate");
        }
    }

    @Nested
    class BackendDecoders {
        @Test
        void decodesErrorResponseFieldsInWireOrder() {
            ErrorResponse error = ErrorResponse.decode(frame("error-response-fields"));

            assertThat(error.fields()).containsExactly(
                    Map.entry('S', "ERROR"), Map.entry('C', "42P01"),
                    Map.entry('M', "relation \"t\" does not exist"), Map.entry('P', "15"));
            assertThat(error.sqlState()).isEqualTo("42P01");
            assertThat(error.message()).isEqualTo("relation \"t\" does not exist");
            assertThat(error.severity()).as("falls back to S without V").isEqualTo("ERROR");
        }

        @Test
        void decodesWhatErrorResponseOfEncodes() {
            ErrorResponse error = ErrorResponse.decode(frame("error-response-fatal-auth-failed"));

            assertThat(error.severity()).isEqualTo("FATAL");
            assertThat(error.sqlState()).isEqualTo("28P01");
            assertThat(error.message()).isEqualTo("password authentication failed for user \"bob\"");
        }

        @Test
        void prefersTheNonLocalizedSeverity() {
            // S follows the server's lc_messages; V is never translated.
            ErrorResponse error = ErrorResponse.decode(PgFrame.of(
                    new ErrorResponse(fields('S', "SCHWERWIEGEND", 'V', "FATAL", 'C', "57P01", 'M', "x")).encode()));
            assertThat(error.severity()).isEqualTo("FATAL");
        }

        @Test
        void refusesErrorResponseFieldWithoutTerminator() {
            Buffer bytes = Buffer.buffer().appendByte((byte) 'E').appendInt(4 + 3).appendBytes(new byte[]{'M', 'x', 'y'});
            assertThatThrownBy(() -> ErrorResponse.decode(PgFrame.of(bytes)))
                    .isInstanceOfSatisfying(VeilException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION));
        }

        @Test
        void decodesParameterStatus() {
            assertThat(ParameterStatus.decode(frame("parameter-status")))
                    .isEqualTo(new ParameterStatus("server_version", "16.4"));
        }

        @Test
        void decodesBackendKeyData() {
            assertThat(BackendKeyData.decode(frame("backend-key-data"))).isEqualTo(new BackendKeyData(12345, 0xdeadbeef));
        }

        @Test
        void refusesBackendKeyDataShorterThanEightBytes() {
            Buffer bytes = Buffer.buffer().appendByte((byte) 'K').appendInt(8).appendInt(12345);
            assertThatThrownBy(() -> BackendKeyData.decode(PgFrame.of(bytes)))
                    .isInstanceOfSatisfying(VeilException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION));
        }

        @Test
        void readsTheTransactionStatusOfReadyForQuery() {
            assertThat(ReadyForQuery.statusOf(frame("ready-for-query-idle"))).isEqualTo('I');
            assertThat(ReadyForQuery.statusOf(frame("ready-for-query-failed-transaction"))).isEqualTo('E');
        }

        @Test
        void readsReadyForQueryStatusFromAFrameInsideALargerBuffer() {
            Buffer stream = new ParameterStatus("a", "b").encode().appendBytes(GoldenBytes.load("ready-for-query-idle"));
            int start = stream.length() - 6;
            assertThat(ReadyForQuery.statusOf(new PgFrame((byte) 'Z', stream, start, stream.length()))).isEqualTo('I');
        }
    }

    @Nested
    class AuthenticationDecoder {
        @Test
        void decodesAuthenticationOk() {
            assertThat(Authentication.decode(frame("authentication-ok"))).isInstanceOf(Authentication.AuthenticationOk.class);
        }

        @Test
        void decodesAuthenticationCleartextPassword() {
            assertThat(Authentication.decode(frame("authentication-cleartext-password")))
                    .isInstanceOf(Authentication.AuthenticationCleartextPassword.class);
        }

        @Test
        void decodesAuthenticationMd5PasswordSalt() {
            assertThat(Authentication.decode(frame("authentication-md5-password")))
                    .isInstanceOfSatisfying(Authentication.AuthenticationMD5Password.class,
                            m -> assertThat(m.salt()).containsExactly(1, 2, 3, 4));
        }

        @Test
        void decodesAuthenticationSaslMechanismList() {
            assertThat(Authentication.decode(frame("authentication-sasl")))
                    .isInstanceOfSatisfying(Authentication.AuthenticationSASL.class,
                            m -> assertThat(m.mechanisms()).containsExactly("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"));
        }

        @Test
        void decodesAuthenticationSaslContinueData() {
            assertThat(Authentication.decode(frame("authentication-sasl-continue")))
                    .isInstanceOfSatisfying(Authentication.AuthenticationSASLContinue.class,
                            m -> assertThat(new String(m.data())).isEqualTo("r=abcdef,s=c2FsdA==,i=4096"));
        }

        @Test
        void decodesAuthenticationSaslFinalData() {
            assertThat(Authentication.decode(frame("authentication-sasl-final")))
                    .isInstanceOfSatisfying(Authentication.AuthenticationSASLFinal.class,
                            m -> assertThat(new String(m.data())).isEqualTo("v=c2lnbmF0dXJl"));
        }

        @Test
        void keepsTheCodeOfMethodsVeilDoesNotAnswer() {
            // AuthenticationGSS: 'R', length 8, code 7.
            Buffer gss = Buffer.buffer(GoldenBytes.parse("52 00000008 00000007"));
            assertThat(Authentication.decode(PgFrame.of(gss))).isEqualTo(new Authentication.AuthenticationOther(7));
        }

        @Test
        void refusesSaslMechanismWithoutTerminator() {
            Buffer bytes = Buffer.buffer().appendByte((byte) 'R').appendInt(4 + 4 + 5).appendInt(10).appendString("SCRAM");
            assertThatThrownBy(() -> Authentication.decode(PgFrame.of(bytes)))
                    .isInstanceOfSatisfying(VeilException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION));
        }
    }

    @Nested
    class FrontendDecoders {
        @Test
        void decodesPasswordMessage() {
            assertThat(FrontendMessage.PasswordMessage.decode(frame("password-message")).password()).isEqualTo("secret");
        }

        @Test
        void refusesPasswordWithoutTerminator() {
            Buffer bytes = Buffer.buffer().appendByte((byte) 'p').appendInt(4 + 6).appendString("secret");
            assertThatThrownBy(() -> FrontendMessage.PasswordMessage.decode(PgFrame.of(bytes)))
                    .isInstanceOfSatisfying(VeilException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION));
        }

        @Test
        void decodesSaslInitialResponse() {
            FrontendMessage.SASLInitialResponse r = FrontendMessage.SASLInitialResponse.decode(frame("sasl-initial-response"));
            assertThat(r.mechanism()).isEqualTo("SCRAM-SHA-256");
            assertThat(new String(r.data())).isEqualTo("n,,n=,r=abcdef");
        }

        @Test
        void decodesSaslInitialResponseWithoutDataAsNull() {
            FrontendMessage.SASLInitialResponse r = FrontendMessage.SASLInitialResponse.decode(frame("sasl-initial-response-no-data"));
            assertThat(r.mechanism()).isEqualTo("SCRAM-SHA-256");
            assertThat(r.data()).isNull();
        }

        @Test
        void refusesSaslInitialResponseWhoseDataLengthDisagreesWithTheMessage() {
            // Declares 20 bytes of data but carries 14.
            Buffer bytes = GoldenBytes.buffer("sasl-initial-response");
            bytes.setInt(5 + 14, 20);
            assertThatThrownBy(() -> FrontendMessage.SASLInitialResponse.decode(PgFrame.of(bytes)))
                    .isInstanceOfSatisfying(VeilException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
                        assertThat(e.getMessage()).contains("20");
                    });
        }

        @Test
        void refusesSaslInitialResponseWithNegativeLengthOtherThanMinusOne() {
            Buffer bytes = GoldenBytes.buffer("sasl-initial-response-no-data");
            bytes.setInt(5 + 14, -2);
            assertThatThrownBy(() -> FrontendMessage.SASLInitialResponse.decode(PgFrame.of(bytes)))
                    .isInstanceOfSatisfying(VeilException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION));
        }

        @Test
        void refusesSaslInitialResponseCutBeforeTheDataLength() {
            Buffer bytes = Buffer.buffer().appendByte((byte) 'p').appendInt(4 + 14 + 2)
                    .appendString("SCRAM-SHA-256").appendByte((byte) 0).appendShort((short) 0);
            assertThatThrownBy(() -> FrontendMessage.SASLInitialResponse.decode(PgFrame.of(bytes)))
                    .isInstanceOfSatisfying(VeilException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION));
        }

        @Test
        void decodesSaslResponse() {
            assertThat(new String(FrontendMessage.SASLResponse.decode(frame("sasl-response")).data()))
                    .isEqualTo("c=biws,r=abcdef,p=cHJvb2Y=");
        }

        @Test
        void decodesQueryAsUtf8() {
            assertThat(FrontendMessage.Query.decode(frame("query")).sql()).isEqualTo("SELECT 'é'");
        }

        @Test
        void decodesParseWithItsParameterTypes() {
            // Parse: 'P', length 27, "s1" NUL, "SELECT $1" NUL, Int16 2, Int32 23 (int4), Int32 25 (text).
            Buffer bytes = Buffer.buffer(GoldenBytes.parse("""
                    50 0000001b
                    73 31 00
                    53 45 4c 45 43 54 20 24 31 00
                    0002 00000017 00000019
                    """));
            FrontendMessage.Parse parse = FrontendMessage.Parse.decode(PgFrame.of(bytes));
            assertThat(parse.statementName()).isEqualTo("s1");
            assertThat(parse.sql()).isEqualTo("SELECT $1");
            assertThat(parse.parameterTypes()).containsExactly(23, 25);
        }

        @Test
        void knowsEveryFrontendMessageTypeAndNothingElse() {
            assertThat("BCdcfDEHFPpQSX".chars()).allMatch(t -> FrontendMessage.isKnownType((byte) t.intValue()));
            assertThat(List.of('A', 'K', 'R', 'Z', 'x', 'q', '\0')).noneMatch(t -> FrontendMessage.isKnownType((byte) t.charValue()));
        }
    }
}
