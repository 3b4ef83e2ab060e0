package dev.veil.frontend.mysql;

import dev.veil.protocol.mysql.CompressedFrames;
import dev.veil.protocol.mysql.MalformedPacketException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import java.util.function.Consumer;

/**
 * The client side of a session that negotiated CLIENT_COMPRESS, as a handler just under Vert.x's in the
 * socket's pipeline (above TLS): what the client sends is inflated before the packet decoder sees it, and
 * everything Veil writes is framed as compressed packets, so the rest of the connection speaks plain packets.
 *
 * <p>Sequence ids: the compressed sequence is counted apart from the packets' own and restarts at 0 with each
 * command the client sends; the server's frames continue the client's count (a command in frame 0 is answered
 * in frames 1, 2, …), which libmysqlclient checks. Veil's next frame therefore follows the last one received.
 */
final class CompressedWire extends ChannelDuplexHandler {
    static final String NAME = "mysql-compression";

    private final CompressedFrames frames = new CompressedFrames();
    private final Consumer<MalformedPacketException> onMalformed;
    private int nextSequence;

    private CompressedWire(Consumer<MalformedPacketException> onMalformed) {
        this.onMalformed = onMalformed;
    }

    /**
     * Switches the connection to compressed framing from the next byte on, both ways: called on the event loop
     * right after the authentication's OK was written (that OK itself goes out uncompressed).
     */
    static void install(ChannelPipeline pipeline, Consumer<MalformedPacketException> onMalformed) {
        pipeline.addBefore("handler", NAME, new CompressedWire(onMalformed));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            frames.decode((ByteBuf) msg, (seq, inflated) -> {
                nextSequence = (seq + 1) & 0xFF;
                ctx.fireChannelRead(inflated);
            });
        } catch (MalformedPacketException e) {
            // The ERR answers the refused frame: it continues that frame's count.
            nextSequence = (frames.lastSequenceId() + 1) & 0xFF;
            onMalformed.accept(e);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf)) {
            ctx.write(msg, promise);
            return;
        }
        ByteBuf data = (ByteBuf) msg;
        if (!data.isReadable()) {
            ctx.write(data, promise); // an empty frame would be read as an empty packet
            return;
        }
        try {
            int length = data.readableBytes();
            ByteBuf framed = frames.encode(data, nextSequence);
            nextSequence = (nextSequence + CompressedFrames.frameCount(length)) & 0xFF;
            ctx.write(framed, promise);
        } finally {
            data.release();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        frames.close();
    }
}
