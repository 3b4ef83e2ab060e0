package dev.veil.protocol.pg;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.testing.SocketChunks;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzz targets for the bytes a PostgreSQL client sends, before and after login. `make test` runs each on its
 * checked-in inputs ({@code PgDecodersFuzzTestInputs/<method>/}: seeds, and every crash found so far);
 * `make fuzz` fuzzes them (docs/testing.md). Every input is fed twice, in one read and cut into small reads,
 * and both must give the same messages and end the same way: a decoder may not depend on where reads end.
 */
class PgDecodersFuzzTest {
    /** Small, so that inputs of a few kB reach the limit after login too. */
    private static final int LIMIT_AFTER_LOGIN = 4096;

    /**
     * Startup packets (SSLRequest and GSSENCRequest as often as the client likes, then a CancelRequest or a
     * StartupMessage), then the frames of the login, each 'p' frame read as each password message Veil knows.
     * The only ways to end: a VeilException (08P01 from the decoders), or {@link InvalidStartupLength} for an
     * impossible first packet. A partial frame never holds more than the pre-login cap, nor twice what arrived.
     */
    @FuzzTest
    void beforeLogin(byte[] input) {
        assertSameWhateverTheReads(input, BeforeLogin::new);
    }

    /**
     * Frames after login, under a limit, each read by the decoder Veil uses for its type (Query, FunctionCall,
     * Parse, Bind, Execute, Close). The only way to end: a VeilException with 08P01.
     */
    @FuzzTest
    void afterLogin(byte[] input) {
        assertSameWhateverTheReads(input, AfterLogin::new);
    }

    private static void assertSameWhateverTheReads(byte[] input, Supplier<Connection> connection) {
        List<String> whole = connection.get().run(SocketChunks.whole(input));
        List<String> pieces = connection.get().run(SocketChunks.pieces(input));
        assertThat(pieces).as("the same bytes in small reads").isEqualTo(whole);
    }

    /** One client connection's worth of decoding: what it saw, message by message, and how it ended. */
    private abstract static class Connection {
        final List<String> seen = new ArrayList<>();

        abstract void read(Buffer chunk);

        /** False once the connection is over without an error (a CancelRequest closes it). */
        boolean open() {
            return true;
        }

        List<String> run(List<Buffer> reads) {
            try {
                for (Buffer chunk : reads) {
                    if (!open()) {
                        break;
                    }
                    read(chunk);
                }
                seen.add(open() ? "open" : "closed");
            } catch (VeilException e) {
                assertThat(e.code()).as(e.getMessage()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
                assertThat(e.fatal()).as(e.getMessage()).isTrue();
                seen.add("ended: " + e.getMessage());
            } catch (InvalidStartupLength e) {
                seen.add("closed without a reply: " + e.getMessage());
            }
            return seen;
        }

        /** Runs a message decoder: a malformed message is 08P01, anything else it throws is a finding. */
        void decode(String what, Supplier<Object> decoder) {
            try {
                seen.add(what + " " + describe(decoder.get()));
            } catch (VeilException e) {
                assertThat(e.code()).as(e.getMessage()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
                seen.add(what + " malformed: " + e.getMessage());
            }
        }

        void checkHeld(PgFrameDecoder frames, int limit) {
            assertThat(frames.pendingBytes()).isLessThan(limit);
            assertThat(frames.heldCapacity()).isLessThanOrEqualTo(limit)
                    .isLessThanOrEqualTo(Math.max(64, 2 * frames.pendingBytes()));
        }
    }

    private static final class BeforeLogin extends Connection {
        private final StartupPacketDecoder startup = new StartupPacketDecoder();
        private final PgFrameDecoder frames = PgFrameDecoder.beforeLogin();
        private boolean started;
        private boolean cancelled;

        @Override
        boolean open() {
            return !cancelled;
        }

        @Override
        void read(Buffer chunk) {
            Buffer rest = chunk;
            // As PgConnection: after SSLRequest / GSSENCRequest (answered 'N'), the next bytes are a startup packet again.
            while (!started && rest.length() > 0) {
                StartupPacket packet = startup.feed(rest);
                if (packet == null) {
                    return;
                }
                seen.add(describe(packet));
                rest = startup.leftover();
                if (packet instanceof CancelRequest) {
                    cancelled = true;
                    return;
                }
                started = packet instanceof StartupMessage;
            }
            if (started && rest.length() > 0) {
                frames.feed(rest, this::onFrame);
                checkHeld(frames, PgFrameDecoder.MAX_FRAME_BEFORE_LOGIN);
            }
        }

        private void onFrame(PgFrame frame) {
            seen.add("frame " + frame.typeChar() + " of " + frame.length() + " bytes");
            if (frame.type() == 'p') {
                // Which one applies depends on the authentication method and step: each must cope with any body.
                decode("PasswordMessage", () -> FrontendMessage.PasswordMessage.decode(frame));
                decode("SASLInitialResponse", () -> FrontendMessage.SASLInitialResponse.decode(frame));
                decode("SASLResponse", () -> FrontendMessage.SASLResponse.decode(frame));
            }
        }
    }

    private static final class AfterLogin extends Connection {
        private final PgFrameDecoder frames = PgFrameDecoder.beforeLogin();

        AfterLogin() {
            // As PgConnection once the client is logged in.
            frames.limit(LIMIT_AFTER_LOGIN, "(the fuzz target's limit)");
        }

        @Override
        void read(Buffer chunk) {
            frames.feed(chunk, this::onFrame);
            checkHeld(frames, LIMIT_AFTER_LOGIN);
        }

        private void onFrame(PgFrame frame) {
            assertThat(frame.length()).isLessThanOrEqualTo(LIMIT_AFTER_LOGIN);
            byte t = frame.type();
            if (!FrontendMessage.isKnownType(t)) {
                // As PgConnection: the connection ends.
                throw VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION, "invalid frontend message type " + (t & 0xff));
            }
            switch (t) {
                case 'Q' -> decode("Query", () -> FrontendMessage.Query.decode(frame));
                case 'F' -> decode("FunctionCall", () -> {
                    FunctionCall call = FunctionCall.decode(frame);
                    return List.of(call.functionOid(), call.renderedArguments(), call.resultFormat());
                });
                case 'P' -> decode("Parse", () -> FrontendMessage.Parse.decode(frame));
                case 'B' -> decode("Bind", () -> {
                    FrontendMessage.Bind bind = FrontendMessage.Bind.decode(frame);
                    return List.of(bind.portal(), bind.statementName(), String.valueOf(bind.renderedParameters()));
                });
                case 'E' -> decode("Execute", () -> FrontendMessage.Execute.decode(frame));
                case 'C' -> decode("Close", () -> FrontendMessage.Close.decode(frame));
                default -> seen.add("frame " + frame.typeChar() + " of " + frame.length() + " bytes, forwarded");
            }
        }
    }

    /**
     * KNOWN DEFECTS of FrontendMessage on main, fixed on the branch listen-limits (every field read through a
     * bounds-checked reader there). Parse, Bind, Execute and Close read past the end of a truncated message
     * (IndexOutOfBoundsException: the client gets XX000 instead of 08P01); Bind renders its parameters with
     * fewer format codes than values (ArrayIndexOutOfBoundsException); a Bind parameter length that runs past
     * 2^31 fails Vert.x's argument check (IllegalArgumentException); and Bind allocates a parameter as long as
     * its length word says before checking that the message holds it (Vert.x Buffer.getBytes allocates first),
     * so a 21-byte message makes Veil allocate up to 2 GiB (OutOfMemoryError, which no handler catches).
     * While fuzzing, an input that hits one of them is passed over (an aborted run is not a finding), so the
     * fuzzer can look for others; their regression inputs are the files named {@code known-defect-*} under
     * PgDecodersFuzzTestInputs/afterLogin/, reported as skipped. Once listen-limits is merged, delete this
     * method and its call and drop the prefix from those files.
     */
    private static String describe(Object decoded) {
        if (decoded instanceof FrontendMessage.Parse p) {
            return "Parse[" + p.statementName() + ", " + p.sql() + ", " + p.parameterTypes().length + " types]";
        }
        if (decoded instanceof FrontendMessage.SASLInitialResponse s) {
            return "SASLInitialResponse[" + s.mechanism() + ", " + hex(s.data()) + "]";
        }
        if (decoded instanceof FrontendMessage.SASLResponse s) {
            return "SASLResponse[" + hex(s.data()) + "]";
        }
        return String.valueOf(decoded);
    }

    private static String hex(byte[] bytes) {
        return bytes == null ? "null" : HexFormat.of().formatHex(bytes);
    }
}
