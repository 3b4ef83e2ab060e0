package dev.veil.upstream;

/**
 * Where the registry keeps the pool of one (upstream, database[, MySQL client profile]): the pool tells it
 * when it got its first connection (it is then listed, with its metrics) and when it may be unused (the slot
 * then removes it, unless it serves the upstream's configured database), and asks it for the pool that
 * serves the slot now, when it was removed while a caller still held it.
 */
interface PoolSlot<C extends ServerConnection> {
    /** The pool serving this slot now; a new one when the last was removed. */
    UpstreamPool<C> current();

    /** The first server connection of {@code pool} was opened: its database exists. */
    void connected(UpstreamPool<C> pool);

    /** {@code pool} may have nothing leased: remove it if so and allowed ({@link UpstreamPool#removeIfUnused}). */
    void unused(UpstreamPool<C> pool);
}
