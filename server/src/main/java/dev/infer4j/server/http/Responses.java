package dev.infer4j.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** Builds and writes HTTP responses: whole JSON or text bodies, and server-sent event frames. */
final class Responses {

    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT_END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private Responses() {
    }

    /** A whole response whose body {@code body} writes; closes the connection after it unless keep-alive. */
    static void write(ChannelHandlerContext ctx, int status, String contentType, boolean keepAlive,
                      Consumer<OutputStream> body, String... extraHeaders) {
        ByteBuf buf = ctx.alloc().buffer();
        try {
            body.accept(new ByteBufOutputStream(buf));
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(status), buf);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, buf.readableBytes());
        for (int i = 0; i + 1 < extraHeaders.length; i += 2) {
            response.headers().set(extraHeaders[i], extraHeaders[i + 1]);
        }
        HttpUtil.setKeepAlive(response, keepAlive);
        var future = ctx.writeAndFlush(response);
        if (!keepAlive) {
            future.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Starts an event stream: status 200, chunked, no caching. */
    static void startEventStream(ChannelHandlerContext ctx, boolean keepAlive) {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        response.headers().set("X-Accel-Buffering", "no");
        HttpUtil.setTransferEncodingChunked(response, true);
        HttpUtil.setKeepAlive(response, keepAlive);
        ctx.write(response);
    }

    /** Writes (without flushing) one {@code data: <json>\n\n} frame. */
    static void event(ChannelHandlerContext ctx, Consumer<OutputStream> json) {
        ByteBuf buf = ctx.alloc().buffer();
        buf.writeBytes(DATA);
        try {
            json.accept(new ByteBufOutputStream(buf));
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
        buf.writeBytes(EVENT_END);
        ctx.write(new DefaultHttpContent(buf));
    }

    /** Writes {@code data: [DONE]}, ends the chunked body and flushes; closes unless keep-alive. */
    static void endEventStream(ChannelHandlerContext ctx, boolean keepAlive) {
        ctx.write(new DefaultHttpContent(ctx.alloc().buffer(DONE.length).writeBytes(DONE)));
        var future = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        if (!keepAlive) {
            future.addListener(ChannelFutureListener.CLOSE);
        }
    }
}
