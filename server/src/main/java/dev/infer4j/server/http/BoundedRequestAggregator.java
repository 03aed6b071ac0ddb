package dev.infer4j.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Aggregates a request up to the body limit; an oversized one becomes an {@link Oversized} event, so that the
 * connection handler answers it with an OpenAI error body (413), logs and counts it like any other request.
 */
final class BoundedRequestAggregator extends HttpObjectAggregator {

    /** User event: a request's body exceeds the limit. */
    record Oversized(String method, String uri, int limit) {
    }

    private final int limit;

    BoundedRequestAggregator(int maxBodyBytes) {
        super(maxBodyBytes);
        this.limit = maxBodyBytes;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        String method = oversized instanceof HttpRequest r ? r.method().name() : "?";
        String uri = oversized instanceof HttpRequest r ? r.uri() : "?";
        ctx.fireUserEventTriggered(new Oversized(method, uri, limit));
    }
}
