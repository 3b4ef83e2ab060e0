package dev.veil.protocol.pg;

import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.List;

/**
 * The AuthenticationXXX family: one message type 'R' whose int32 sub-code says which request it is.
 * See https://www.postgresql.org/docs/current/protocol-message-formats.html
 */
public sealed interface Authentication extends BackendMessage {
    int OK = 0, CLEARTEXT_PASSWORD = 3, MD5_PASSWORD = 5, SASL = 10, SASL_CONTINUE = 11, SASL_FINAL = 12;

    record AuthenticationOk() implements Authentication {
        public Buffer encode() {
            return BackendMessage.finish(BackendMessage.begin('R', 4).appendInt(OK));
        }
    }

    record AuthenticationCleartextPassword() implements Authentication {
        public Buffer encode() {
            return BackendMessage.finish(BackendMessage.begin('R', 4).appendInt(CLEARTEXT_PASSWORD));
        }
    }

    record AuthenticationMD5Password(byte[] salt) implements Authentication {
        public Buffer encode() {
            return BackendMessage.finish(BackendMessage.begin('R', 8).appendInt(MD5_PASSWORD).appendBytes(salt));
        }
    }

    /** Lists the SASL mechanisms, each NUL-terminated, then an empty name. */
    record AuthenticationSASL(List<String> mechanisms) implements Authentication {
        public Buffer encode() {
            Buffer b = BackendMessage.begin('R', 32).appendInt(SASL);
            mechanisms.forEach(m -> CStrings.append(b, m));
            return BackendMessage.finish(b.appendByte((byte) 0));
        }
    }

    record AuthenticationSASLContinue(byte[] data) implements Authentication {
        public Buffer encode() {
            return BackendMessage.finish(BackendMessage.begin('R', 4 + data.length).appendInt(SASL_CONTINUE).appendBytes(data));
        }
    }

    record AuthenticationSASLFinal(byte[] data) implements Authentication {
        public Buffer encode() {
            return BackendMessage.finish(BackendMessage.begin('R', 4 + data.length).appendInt(SASL_FINAL).appendBytes(data));
        }
    }

    /** Any other request (Kerberos, GSS, SSPI…): Veil does not answer these towards a server. */
    record AuthenticationOther(int code) implements Authentication {
        public Buffer encode() {
            return BackendMessage.finish(BackendMessage.begin('R', 4).appendInt(code));
        }
    }

    static Authentication decode(PgFrame frame) {
        Buffer body = frame.body();
        int code = body.getInt(0);
        return switch (code) {
            case OK -> new AuthenticationOk();
            case CLEARTEXT_PASSWORD -> new AuthenticationCleartextPassword();
            case MD5_PASSWORD -> new AuthenticationMD5Password(body.getBytes(4, 8));
            case SASL -> {
                List<String> mechs = new ArrayList<>();
                int pos = 4;
                while (pos < body.length() && body.getByte(pos) != 0) {
                    int nul = CStrings.indexOfNul(body, pos);
                    mechs.add(CStrings.read(body, pos, nul));
                    pos = nul + 1;
                }
                yield new AuthenticationSASL(mechs);
            }
            case SASL_CONTINUE -> new AuthenticationSASLContinue(body.getBytes(4, body.length()));
            case SASL_FINAL -> new AuthenticationSASLFinal(body.getBytes(4, body.length()));
            default -> new AuthenticationOther(code);
        };
    }
}
