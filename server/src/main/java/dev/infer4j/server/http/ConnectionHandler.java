package dev.infer4j.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.infer4j.server.backend.BackendException;
import dev.infer4j.server.backend.ModelInfo;
import dev.infer4j.server.openai.ApiException;
import dev.infer4j.server.openai.Endpoint;
import dev.infer4j.server.openai.GenerationRequest;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One connection's request handling: routing, authentication, answering the cheap endpoints, starting generation
 * exchanges, and the connection's lifecycle (pipelined requests wait their turn, idle connections close, a vanished
 * client cancels its generation). Runs only on the channel's event loop.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {

    private static final System.Logger LOG = System.getLogger("dev.infer4j.server.access");
    /** Requests a client may pipeline behind the one being answered. */
    private static final int MAX_PIPELINED = 16;

    private final ServerContext server;
    private final RequestDeadline deadline;
    private final ArrayDeque<FullHttpRequest> pending = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    /** The request being answered: set while busy. */
    private String method;
    private String path;
    private String route;
    private long startNanos;
    private boolean busy;
    private GenerationExchange exchange;

    ConnectionHandler(ServerContext server, RequestDeadline deadline) {
        this.server = server;
        this.deadline = deadline;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        deadline.requestComplete();
        if (busy) {
            if (pending.size() >= MAX_PIPELINED) {
                request.release();
                ctx.close();
                return;
            }
            pending.add(request);
            return;
        }
        serve(request);
    }

    private void serve(FullHttpRequest request) {
        busy = true;
        startNanos = System.nanoTime();
        method = request.method().name();
        path = request.uri();
        route = "other";
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        try {
            if (!request.decoderResult().isSuccess()) {
                keepAlive = false;
                throw new ApiException(400, "invalid_request_error",
                        "Malformed HTTP request: " + request.decoderResult().cause(), null, "malformed_request");
            }
            path = new QueryStringDecoder(request.uri()).path();
            dispatch(request, keepAlive);
        } catch (ApiException e) {
            sendError(e, keepAlive);
        } catch (BackendException e) {
            sendError(ApiException.fromBackend(e), keepAlive);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "internal error answering " + method + " " + path, e);
            sendError(new ApiException(500, "server_error", "Internal error: " + e, null, null), false);
        } finally {
            request.release();
        }
    }

    private void dispatch(FullHttpRequest request, boolean keepAlive) {
        HttpMethod m = request.method();
        switch (path) {
            case "/health" -> {
                route = path;
                requireMethod(m, HttpMethod.GET);
                sendJson(200, Map.of("status", "ok"), keepAlive);
            }
            case "/metrics" -> {
                route = path;
                requireMethod(m, HttpMethod.GET);
                String text = server.metrics().render();
                Responses.write(ctx, 200, "text/plain; version=0.0.4; charset=utf-8", keepAlive,
                        out -> writeBytes(out, text.getBytes(StandardCharsets.UTF_8)));
                done(RequestOutcome.ok(200));
            }
            case "/v1/models" -> {
                route = path;
                authorize(request);
                requireMethod(m, HttpMethod.GET);
                Responses.write(ctx, 200, "application/json", keepAlive,
                        out -> server.encoder().modelList(out, server.backend().model(), server.modelName()));
                done(RequestOutcome.ok(200));
            }
            case "/v1/chat/completions" -> generate(request, Endpoint.CHAT, keepAlive);
            case "/v1/completions" -> generate(request, Endpoint.COMPLETION, keepAlive);
            case "/tokenize" -> tokenize(request, keepAlive);
            case "/detokenize" -> detokenize(request, keepAlive);
            default -> {
                if (path.startsWith("/v1/models/")) {
                    route = "/v1/models/{id}";
                    authorize(request);
                    requireMethod(m, HttpMethod.GET);
                    String id = QueryStringDecoder.decodeComponent(path.substring("/v1/models/".length()));
                    if (!servesModel(id)) {
                        throw modelNotFound(id);
                    }
                    Responses.write(ctx, 200, "application/json", keepAlive,
                            out -> server.encoder().model(out, server.backend().model(), server.modelName()));
                    done(RequestOutcome.ok(200));
                    return;
                }
                authorize(request);
                throw new ApiException(404, "invalid_request_error",
                        "Invalid URL (" + m.name() + " " + path + ")", null, "unknown_url");
            }
        }
    }

    private void generate(FullHttpRequest request, Endpoint endpoint, boolean keepAlive) {
        route = path;
        authorize(request);
        requireMethod(request.method(), HttpMethod.POST);
        ObjectNode body = server.parser().readObject(new ByteBufInputStream(request.content()));
        ModelInfo model = server.backend().model();
        GenerationRequest parsed = endpoint == Endpoint.CHAT ? server.parser().parseChat(body, model)
                : server.parser().parseCompletion(body, model);
        if (parsed.model() != null && !servesModel(parsed.model())) {
            throw modelNotFound(parsed.model());
        }
        if (!server.admission().tryEnter()) {
            throw new ApiException(429, "rate_limit_exceeded",
                    "The server is at its limit of queued requests; retry shortly", null, "rate_limit_exceeded");
        }
        exchange = new GenerationExchange(ctx, server, parsed, startNanos, keepAlive, this::done);
        exchange.prepare();
    }

    private void tokenize(FullHttpRequest request, boolean keepAlive) {
        route = path;
        authorize(request);
        requireMethod(request.method(), HttpMethod.POST);
        ObjectNode body = server.parser().readObject(new ByteBufInputStream(request.content()));
        JsonNode content = body.get("content");
        if (content == null || !content.isTextual()) {
            throw ApiException.invalidField("content", "'content' must be a string");
        }
        boolean addSpecial = flag(body, "add_special", false);
        boolean parseSpecial = flag(body, "parse_special", true);
        boolean withPieces = flag(body, "with_pieces", false);
        offload(keepAlive, () -> {
            int[] ids = server.backend().tokenize(content.textValue(), addSpecial, parseSpecial);
            List<Object> tokens = new ArrayList<>(ids.length);
            for (int id : ids) {
                if (!withPieces) {
                    tokens.add(id);
                    continue;
                }
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("id", id);
                entry.put("piece", piece(server.backend().tokenBytes(id)));
                tokens.add(entry);
            }
            return Map.of("tokens", tokens);
        });
    }

    private void detokenize(FullHttpRequest request, boolean keepAlive) {
        route = path;
        authorize(request);
        requireMethod(request.method(), HttpMethod.POST);
        ObjectNode body = server.parser().readObject(new ByteBufInputStream(request.content()));
        JsonNode tokens = body.get("tokens");
        if (tokens == null || !tokens.isArray()) {
            throw ApiException.invalidField("tokens", "'tokens' must be an array of token ids");
        }
        int vocab = server.backend().model().vocabSize();
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode t = tokens.get(i);
            if (!t.canConvertToInt() || !t.isIntegralNumber() || t.intValue() < 0 || t.intValue() >= vocab) {
                throw ApiException.invalidField("tokens[" + i + "]",
                        "token ids must be integers between 0 and " + (vocab - 1));
            }
            ids[i] = t.intValue();
        }
        offload(keepAlive, () -> Map.of("content", server.backend().detokenize(ids)));
    }

    /** Runs a backend call on a preparation thread and answers with its result as JSON on the event loop. */
    private void offload(boolean keepAlive, java.util.function.Supplier<Object> work) {
        if (server.preparation() instanceof java.util.concurrent.ExecutorService pool && pool.isShutdown()) {
            throw new ApiException(503, "server_overloaded", "The server is shutting down", null, "server_overloaded");
        }
        server.preparation().execute(() -> {
            Object result;
            try {
                result = work.get();
            } catch (BackendException e) {
                ctx.executor().execute(() -> sendError(ApiException.fromBackend(e), keepAlive));
                return;
            } catch (Throwable e) {
                ApiException error = new ApiException(500, "server_error", "Internal error: " + e, null, null);
                ctx.executor().execute(() -> sendError(error, keepAlive));
                if (e instanceof VirtualMachineError fatal) {
                    throw fatal;
                }
                return;
            }
            ctx.executor().execute(() -> sendJson(200, result, keepAlive));
        });
    }

    /** A token's piece: its text when its bytes are valid UTF-8, else the bytes (as llama.cpp's server does). */
    private static Object piece(byte[] bytes) {
        var decoder = StandardCharsets.UTF_8.newDecoder();
        try {
            return decoder.decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            List<Integer> values = new ArrayList<>(bytes.length);
            for (byte b : bytes) {
                values.add(b & 0xFF);
            }
            return values;
        }
    }

    private static boolean flag(ObjectNode body, String name, boolean fallback) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isBoolean()) {
            throw ApiException.invalidField(name, "'" + name + "' must be a boolean");
        }
        return node.booleanValue();
    }

    private boolean servesModel(String name) {
        return name.equals(server.modelName()) || name.equals(server.backend().model().id());
    }

    private static ApiException modelNotFound(String name) {
        return new ApiException(404, "invalid_request_error", "The model '" + name + "' does not exist", "model",
                "model_not_found");
    }

    private void requireMethod(HttpMethod actual, HttpMethod expected) {
        if (!actual.equals(expected)) {
            throw new ApiException(405, "invalid_request_error", "Method " + actual.name() + " is not allowed on "
                    + path + "; use " + expected.name(), null, "method_not_allowed");
        }
    }

    private void authorize(FullHttpRequest request) {
        String key = server.apiKey();
        if (key == null) {
            return;
        }
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        String prefix = "Bearer ";
        boolean ok = header != null && header.regionMatches(true, 0, prefix, 0, prefix.length())
                && MessageDigest.isEqual(header.substring(prefix.length()).trim().getBytes(StandardCharsets.UTF_8),
                key.getBytes(StandardCharsets.UTF_8));
        if (!ok) {
            throw new ApiException(401, "invalid_request_error", header == null
                    ? "Missing API key: send it as 'Authorization: Bearer <key>'" : "Incorrect API key provided",
                    null, "invalid_api_key");
        }
    }

    private void sendJson(int status, Object value, boolean keepAlive) {
        byte[] body;
        try {
            body = server.mapper().writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Responses.write(ctx, status, "application/json", keepAlive, out -> writeBytes(out, body));
        done(RequestOutcome.ok(status));
    }

    private void sendError(ApiException e, boolean keepAlive) {
        String[] headers = e.status() == 429 || e.status() == 503 ? new String[]{"Retry-After", "1"}
                : e.status() == 405 ? new String[]{"Allow", allowedMethod()} : new String[0];
        Responses.write(ctx, e.status(), "application/json", keepAlive, out -> server.encoder().error(out, e), headers);
        done(RequestOutcome.failed(e.status(), e.getMessage()));
    }

    private String allowedMethod() {
        return switch (route) {
            case "/v1/chat/completions", "/v1/completions", "/tokenize", "/detokenize" -> "POST";
            default -> "GET";
        };
    }

    private static void writeBytes(java.io.OutputStream out, byte[] bytes) {
        try {
            out.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The current request is answered: log it, count it, and serve the next pipelined one. */
    private void done(RequestOutcome outcome) {
        if (!busy) {
            return;
        }
        long micros = (System.nanoTime() - startNanos) / 1_000;
        server.metrics().countRequest(route, outcome.status());
        if (LOG.isLoggable(Level.INFO)) {
            LOG.log(Level.INFO, String.format("%s %s %d prompt=%d completion=%d %d.%03dms%s", method, path,
                    outcome.status(), outcome.promptTokens(), outcome.completionTokens(), micros / 1000,
                    micros % 1000, outcome.error() == null ? "" : " error=\"" + outcome.error() + "\""));
        }
        busy = false;
        exchange = null;
        if (!pending.isEmpty() && ctx.channel().isActive()) {
            FullHttpRequest next = pending.poll();
            ctx.executor().execute(() -> {
                if (busy) {
                    pending.addFirst(next);
                } else {
                    serve(next);
                }
            });
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && exchange != null) {
            exchange.writable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        switch (evt) {
            case IdleStateEvent idle -> {
                if (!busy) {
                    ctx.close();
                }
            }
            case RequestDeadline.TimedOut timedOut -> {
                if (busy) {
                    ctx.close();
                    return;
                }
                busy = true;
                startNanos = System.nanoTime();
                method = "?";
                path = "?";
                route = "other";
                sendError(new ApiException(408, "invalid_request_error",
                        "The request was not received within " + server.requestTimeout().toMillis() + " ms", null,
                        "request_timeout"), false);
            }
            case BoundedRequestAggregator.Oversized oversized -> {
                deadline.requestComplete();
                if (busy) {
                    ctx.close();
                    return;
                }
                busy = true;
                startNanos = System.nanoTime();
                method = oversized.method();
                path = new QueryStringDecoder(oversized.uri()).path();
                route = "other";
                sendError(new ApiException(413, "invalid_request_error", "The request body exceeds the limit of "
                        + oversized.limit() + " bytes", null, "request_too_large"), false);
            }
            default -> ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.abort();
        }
        while (!pending.isEmpty()) {
            pending.poll().release();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(Level.DEBUG, "closing connection after error", cause);
        ctx.close();
    }
}
