package dev.veil.frontend.pg;

import dev.veil.config.ListenerTlsMode;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.protocol.pg.CancelRequest;
import dev.veil.protocol.pg.GSSENCRequest;
import dev.veil.protocol.pg.SSLRequest;
import dev.veil.protocol.pg.StartupMessage;
import dev.veil.protocol.pg.StartupPacket;
import dev.veil.protocol.pg.StartupPacketDecoder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import org.jboss.logging.Logger;

import java.util.function.BiConsumer;

/**
 * The start of every PostgreSQL connection, up to its StartupMessage: an SSLRequest is answered 'S' and the
 * TLS handshake follows when TLS is on offer, else 'N' (the client goes on in plain text or gives up); a
 * GSSENCRequest is declined with 'N'; a CancelRequest is carried out and the connection closed, as the server
 * does. Refused clients go through it too, as with the server, whose "too many clients" FATAL comes after this
 * negotiation: a client that opened with SSLRequest can read that error instead of failing on a bad answer.
 * Confined to the connection's event loop.
 */
final class PgNegotiation {
    private static final Logger LOG = Logger.getLogger(PgNegotiation.class);

    private final NetSocket socket;
    private final PgEngine engine;
    private final StartupPacketDecoder decoder = new StartupPacketDecoder();
    private final BiConsumer<StartupMessage, Buffer> onStartup;
    private final Runnable onClosed;
    private boolean tls;

    /**
     * @param onStartup the StartupMessage, with the bytes that came after it
     * @param onClosed the negotiation closed the connection (a CancelRequest, a failed TLS handshake)
     */
    PgNegotiation(NetSocket socket, PgEngine engine, BiConsumer<StartupMessage, Buffer> onStartup, Runnable onClosed) {
        this.socket = socket;
        this.engine = engine;
        this.onStartup = onStartup;
        this.onClosed = onClosed;
    }

    /** Whether the connection is encrypted. */
    boolean tls() {
        return tls;
    }

    /**
     * Bytes read before the StartupMessage. A startup packet Veil cannot accept throws a VeilException (08P01);
     * one whose length is impossible throws InvalidStartupLength (the connection is closed without a reply).
     */
    void feed(Buffer chunk) {
        StartupPacket packet = decoder.feed(chunk);
        if (packet == null) {
            return;
        }
        Buffer leftover = decoder.leftover();
        if (packet instanceof SSLRequest) {
            onSslRequest(leftover);
        } else if (packet instanceof GSSENCRequest) {
            socket.write(Buffer.buffer(new byte[]{'N'}));
            feedRest(leftover);
        } else if (packet instanceof CancelRequest cancel) {
            engine.context().sessions().registry().cancel(cancel.processId(), cancel.secretKey());
            socket.close();
            onClosed.run();
        } else if (packet instanceof StartupMessage message) {
            onStartup.accept(message, leftover);
        }
    }

    private void feedRest(Buffer leftover) {
        if (leftover.length() > 0) {
            feed(leftover);
        }
    }

    private void onSslRequest(Buffer leftover) {
        if (tls || !engine.isTlsAvailable() || engine.listener.tls().mode() == ListenerTlsMode.OFF) {
            socket.write(Buffer.buffer(new byte[]{'N'}));
            feedRest(leftover);
            return;
        }
        if (leftover.length() > 0) {
            // Plain-text bytes sent before the handshake would be treated as if encrypted (CVE-2021-23214).
            throw VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION, "received unencrypted data after SSL request");
        }
        socket.write(Buffer.buffer(new byte[]{'S'}));
        socket.upgradeToSsl(ar -> {
            if (ar.succeeded()) {
                tls = true;
            } else {
                LOG.debugf("TLS handshake with a client failed: %s", ar.cause().getMessage());
                socket.close();
                onClosed.run();
            }
        });
    }
}
