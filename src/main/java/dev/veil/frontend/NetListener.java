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

/**
 * One listening port served by one NetServer per event loop (Vert.x spreads accepted connections over
 * them), so each client connection is served by one thread from accept to close. TLS, when configured,
 * starts inside the protocol (PostgreSQL SSLRequest, MySQL SSL request), so the server is plain with a
 * certificate ready for {@code upgradeToSsl}.
 */
final class NetListener {
    private final Vertx vertx;
    private volatile String deploymentId;

    NetListener(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Starts serving; completes with the number of event loops listening. */
    Future<Integer> start(NetServerOptions options, Handler<NetSocket> accept) {
        int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
        return vertx.deployVerticle(() -> new Instance(options, accept), new DeploymentOptions().setInstances(instances))
                .map(id -> {
                    deploymentId = id;
                    return instances;
                });
    }

    Future<Void> stop() {
        String id = deploymentId;
        deploymentId = null;
        return id == null ? Future.succeededFuture() : vertx.undeploy(id);
    }

    private static final class Instance extends AbstractVerticle {
        private final NetServerOptions options;
        private final Handler<NetSocket> accept;

        Instance(NetServerOptions options, Handler<NetSocket> accept) {
            this.options = options;
            this.accept = accept;
        }

        @Override
        public void start(Promise<Void> started) {
            NetServer server = vertx.createNetServer(options);
            server.connectHandler(accept);
            server.listen().<Void>mapEmpty().onComplete(started);
        }
    }
}
