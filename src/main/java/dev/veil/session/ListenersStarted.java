package dev.veil.session;

/**
 * Fired once every configured listener accepts clients. Work that only makes later statements faster (the
 * analysis warm-up) waits for it, so it does not compete with opening the ports.
 */
public record ListenersStarted() {
}
