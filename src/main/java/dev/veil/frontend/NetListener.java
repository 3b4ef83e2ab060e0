package dev.veil.frontend;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One listening port served by one NetServer per event loop (Vert.x spreads accepted connections over
 * them), so each client connection is served by one thread from accept to close. TLS, when configured,
 * starts inside the protocol (PostgreSQL SSLRequest, MySQL SSL request), so the server is plain with a
 * certificate ready for {@code upgradeToSsl}.
 */
final class NetListener {
    /** Distinct negative ports: Vert.x binds a free port for the first server of each and shares it with the others. */
    private static final AtomicInteger FREE_PORTS = new AtomicInteger();

    private final Vertx vertx;
    private final AtomicInteger port = new AtomicInteger();
    private volatile String deploymentId;

    NetListener(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Starts serving; completes with the number of event loops listening. Port 0: one free port, shared by all of them. */
    Future<Integer> start(NetServerOptions options, Handler<NetSocket> accept) {
        int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
        NetServerOptions shared = options.getPort() != 0 ? options
                : new NetServerOptions(options).setPort(-FREE_PORTS.incrementAndGet());
        return vertx.deployVerticle(() -> new Instance(shared, accept, port), new DeploymentOptions().setInstances(instances))
                .map(id -> {
                    deploymentId = id;
                    return instances;
                });
    }

    /** The port listened on (the one picked for port 0), once started. */
    int port() {
        return port.get();
    }

    Future<Void> stop() {
        String id = deploymentId;
        deploymentId = null;
        return id == null ? Future.succeededFuture() : vertx.undeploy(id);
    }

    private static final class Instance extends AbstractVerticle {
        private final NetServerOptions options;
        private final Handler<NetSocket> accept;
        private final AtomicInteger port;

        Instance(NetServerOptions options, Handler<NetSocket> accept, AtomicInteger port) {
            this.options = options;
            this.accept = accept;
            this.port = port;
        }

        @Override
        public void start(Promise<Void> started) {
            NetServer server = vertx.createNetServer(options);
            server.connectHandler(accept);
            server.listen().onSuccess(s -> port.set(s.actualPort())).<Void>mapEmpty().onComplete(started);
        }
    }
}
