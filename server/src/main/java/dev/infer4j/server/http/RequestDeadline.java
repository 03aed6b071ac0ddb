package dev.infer4j.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sits in front of the HTTP decoder and times each request from its first byte to its last: a client that
 * trickles a request (slowloris) is cut off after the request timeout however steadily it sends. The connection
 * handler reports each complete request; on expiry a {@link TimedOut} event goes up the pipeline.
 */
final class RequestDeadline extends ChannelInboundHandlerAdapter {

    /** User event: the request now being received took too long. */
    enum TimedOut { INSTANCE }

    private final long timeoutNanos;
    private ScheduledFuture<?> timer;

    RequestDeadline(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (timer == null) {
            timer = ctx.executor().schedule(() -> {
                timer = null;
                if (ctx.channel().isActive()) {
                    ctx.fireUserEventTriggered(TimedOut.INSTANCE);
                }
            }, timeoutNanos, TimeUnit.NANOSECONDS);
        }
        ctx.fireChannelRead(msg);
    }

    /** The request being timed has arrived whole; the next byte starts the next deadline. */
    void requestComplete() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        requestComplete();
        ctx.fireChannelInactive();
    }
}
