package dev.infer4j.server.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The per-connection pipeline: idle timer, request deadline, HTTP/1.1 codec with bounded line and header sizes,
 * bounded body aggregation (which also answers {@code Expect: 100-continue}), then the {@link ConnectionHandler}.
 */
public final class ServerChannelInitializer extends ChannelInitializer<SocketChannel> {

    private static final int MAX_INITIAL_LINE = 8 * 1024;
    private static final int MAX_HEADER_BYTES = 16 * 1024;

    private final ServerContext server;
    private final int maxBodyBytes;
    private final Duration idleTimeout;

    public ServerChannelInitializer(ServerContext server, int maxBodyBytes, Duration idleTimeout) {
        this.server = server;
        this.maxBodyBytes = maxBodyBytes;
        this.idleTimeout = idleTimeout;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        RequestDeadline deadline = new RequestDeadline(server.requestTimeout());
        ChannelPipeline p = ch.pipeline();
        p.addLast("idle", new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS));
        p.addLast("deadline", deadline);
        p.addLast("codec", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_BYTES, 8192));
        p.addLast("aggregator", new BoundedRequestAggregator(maxBodyBytes));
        p.addLast("api", new ConnectionHandler(server, deadline));
    }
}
