package dev.veil.protocol.mysql;

import io.vertx.core.buffer.Buffer;

import java.util.Arrays;

/**
 * Asks the client to authenticate again with another plugin (dev.mysql.com "Protocol::AuthSwitchRequest").
 * For the scramble-based plugins the data is the 20-byte nonce followed by a NUL.
 */
public record AuthSwitchRequest(String pluginName, byte[] pluginData) {
    public static final int HEADER = 0xFE;

    public Buffer encode() {
        return new PayloadWriter(64).int1(HEADER).nulString(pluginName).bytes(pluginData).payload();
    }

    public static AuthSwitchRequest decode(Buffer payload) {
        PayloadReader r = new PayloadReader(payload);
        r.int1();
        String plugin = r.nulOrEofString();
        byte[] data = r.rest();
        if (data.length > 0 && data[data.length - 1] == 0) {
            data = Arrays.copyOf(data, data.length - 1);
        }
        return new AuthSwitchRequest(plugin, data);
    }
}
