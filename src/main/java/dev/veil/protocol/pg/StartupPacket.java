package dev.veil.protocol.pg;

/**
 * The untyped packets a client may send first: StartupMessage, SSLRequest, GSSENCRequest, CancelRequest.
 * They share a layout (int32 length, int32 code, payload) and are told apart by the code.
 * See https://www.postgresql.org/docs/current/protocol-message-formats.html
 */
public sealed interface StartupPacket
        permits StartupMessage, SSLRequest, GSSENCRequest, CancelRequest {
}
