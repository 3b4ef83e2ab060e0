package dev.veil.frontend.pg;

import dev.veil.error.VeilException;
import dev.veil.protocol.pg.ErrorResponse;
import dev.veil.protocol.pg.StartupMessage;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import org.jboss.logging.Logger;

/**
 * A client refused by a connection limit, answered as the server answers one when it has too many: the
 * SSLRequest or GSSENCRequest it may open with is answered first (TLS included), a CancelRequest is carried
 * out, and the FATAL (53300 "sorry, too many clients already: …", naming the limit) follows its StartupMessage,
 * which psql then prints. It counts against no limit but its engine's own count of refusals, and has the
 * startup timeout to send its StartupMessage; it is closed without a word after that. Confined to the event
 * loop that accepted it.
 */
final class PgRefusal {
    private static final Logger LOG = Logger.getLogger(PgRefusal.class);

    private final NetSocket socket;
    private final VeilException refusal;
    private final PgNegotiation negotiation;
    private final long timer;
    private boolean closed;

    /** @param done runs once when the socket has closed */
    PgRefusal(NetSocket socket, PgEngine engine, VeilException refusal, Runnable done) {
        this.socket = socket;
        this.refusal = refusal;
        this.negotiation = new PgNegotiation(socket, engine, this::onStartupMessage, () -> closed = true);
        long timeout = Math.min(engine.listener.startupTimeout().toMillis(), engine.listener.authenticationTimeout().toMillis());
        this.timer = engine.context().vertx().setTimer(Math.max(1, timeout), id -> close());
        socket.handler(this::onData);
        socket.exceptionHandler(e -> socket.close());
        socket.closeHandler(v -> {
            closed = true;
            engine.context().vertx().cancelTimer(timer);
            done.run();
        });
    }

    private void onData(Buffer chunk) {
        if (closed) {
            return;
        }
        try {
            negotiation.feed(chunk);
        } catch (VeilException e) {
            // The startup packet itself is wrong: the client gets that error, as it would from the server.
            end(e);
        } catch (RuntimeException e) {
            // An impossible startup length (InvalidStartupLength), as for any client: closed without a reply.
            LOG.debugf("closing a refused connection: %s", e.getMessage());
            close();
        }
    }

    private void onStartupMessage(StartupMessage message, Buffer leftover) {
        end(refusal);
    }

    private void end(VeilException e) {
        closed = true;
        socket.end(ErrorResponse.of(e).encode());
    }

    private void close() {
        closed = true;
        socket.close();
    }
}
