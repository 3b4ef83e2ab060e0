package dev.veil.config;

/**
 * How long a client session holds a server connection of its upstream's pool (veil.upstreams.*.pool.mode):
 * for its whole life (session), or only while a transaction is open or a statement / Sync cycle runs
 * (transaction, PostgreSQL upstreams only; a session that changes session state is pinned to its connection).
 */
public enum PoolingMode {
    SESSION, TRANSACTION
}
