package dev.veil.conversation;

import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One contract's world: a scripted upstream of the dialect (answering {@link Conversation#ALLOWED} and
 * {@link Conversation#OTHER} with one row each), Veil in front of it, and the clients the test opened. Closed
 * at the end of the test, clients first.
 */
final class Stage implements AutoCloseable {
    final Conversation wire;
    final ScriptedUpstream upstream;
    final InProcessVeil veil;
    private final Vertx vertx;
    private final List<WireClient> clients = new ArrayList<>();

    private Stage(Conversation wire, Vertx vertx, ScriptedUpstream upstream, InProcessVeil veil) {
        this.wire = wire;
        this.vertx = vertx;
        this.upstream = upstream;
        this.veil = veil;
    }

    private static boolean warm;

    /**
     * One conversation per dialect, once per JVM, before a class's contracts run: the first one loads most of
     * Veil (Calcite, Vert.x, the audit codec, the SCRAM and JWT libraries), which takes seconds on a busy machine
     * and would otherwise count against the first contract's waits.
     */
    static synchronized void warmUp() throws Exception {
        if (warm) {
            return;
        }
        for (Conversation wire : dialects().toList()) {
            try (Stage stage = open(wire)) {
                stage.client().query(Conversation.ALLOWED);
            }
        }
        warm = true;
    }

    /** The dialects every contract runs for. */
    static Stream<Conversation> dialects() {
        return Stream.of(new PgConversation(), new MySqlConversation());
    }

    static Stage open(Conversation wire) throws Exception {
        return open(wire, Map.of());
    }

    /** With more {@code veil.*} properties. */
    static Stage open(Conversation wire, Map<String, String> properties) throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            ScriptedUpstream upstream = wire.upstream(vertx)
                    .on(Conversation.ALLOWED, ScriptedUpstream.Answer.rows("first"))
                    .on(Conversation.OTHER, ScriptedUpstream.Answer.rows("third"))
                    .start();
            return new Stage(wire, vertx, upstream, InProcessVeil.start(vertx, upstream, properties));
        } catch (Exception | Error e) {
            vertx.close();
            throw e;
        }
    }

    /** A new client, logged in. */
    WireClient client() throws Exception {
        WireClient c = wire.login(veil);
        clients.add(c);
        return c;
    }

    ControlledAuditSink audit() {
        return veil.audit();
    }

    @Override
    public void close() throws Exception {
        try {
            for (WireClient c : clients) {
                c.close();
            }
            veil.close();
            upstream.close();
        } finally {
            InProcessVeil.await(vertx.close());
        }
    }
}
