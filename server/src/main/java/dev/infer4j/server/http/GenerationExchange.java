package dev.infer4j.server.http;

import dev.infer4j.server.backend.BackendException;
import dev.infer4j.server.backend.Failed;
import dev.infer4j.server.backend.Finished;
import dev.infer4j.server.backend.GenerationEvent;
import dev.infer4j.server.backend.PromptTokens;
import dev.infer4j.server.backend.TokenDelta;
import dev.infer4j.server.backend.Usage;
import dev.infer4j.server.openai.ApiException;
import dev.infer4j.server.openai.ChoiceOutput;
import dev.infer4j.server.openai.Endpoint;
import dev.infer4j.server.openai.GenerationRequest;
import dev.infer4j.server.openai.PlannedChoice;
import dev.infer4j.server.openai.ResponseMeta;
import io.netty.channel.ChannelHandlerContext;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One chat or completion request from admission to its last byte.
 *
 * <p>Threads: {@link #prepare()} hands planning and submission to a preparation thread; the engine thread calls
 * the choices' sinks, which only enqueue and {@link #wake()}; everything else runs on the channel's event loop,
 * which drains the queues into the response. The event loop never waits on any of them.
 */
final class GenerationExchange {

    private final ChannelHandlerContext ctx;
    private final ServerContext server;
    private final GenerationRequest request;
    private final ResponseMeta meta;
    private final long startNanos;
    private final boolean keepAlive;
    private final Consumer<RequestOutcome> onDone;
    private final AtomicBoolean wakeScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drain;

    private volatile List<ChoiceStream> choices = List.of();
    /** Set on the event loop when the exchange ends for any reason; read by the preparation thread. */
    private volatile boolean done;
    private volatile boolean overflowed;
    /** Event-loop confined. */
    private boolean started;
    private boolean headersSent;
    private int finishedChoices;

    GenerationExchange(ChannelHandlerContext ctx, ServerContext server, GenerationRequest request, long startNanos,
                       boolean keepAlive, Consumer<RequestOutcome> onDone) {
        this.ctx = ctx;
        this.server = server;
        this.request = request;
        this.startNanos = startNanos;
        this.keepAlive = keepAlive;
        this.onDone = onDone;
        String id = request.endpoint().idPrefix() + Ids.random();
        this.meta = new ResponseMeta(request.endpoint(), id, System.currentTimeMillis() / 1000, server.modelName(),
                request.stream() && request.includeUsage());
    }

    /** Event loop: plans and submits on a preparation thread, then continues on the event loop. */
    void prepare() {
        try {
            server.preparation().execute(this::planAndSubmit);
        } catch (RuntimeException rejected) {
            end(new ApiException(503, "server_overloaded", "The server is shutting down", null, "server_overloaded"));
        }
    }

    private void planAndSubmit() {
        try {
            List<PlannedChoice> plan = server.planner().plan(request);
            List<ChoiceStream> streams = new ArrayList<>(plan.size());
            for (PlannedChoice p : plan) {
                streams.add(new ChoiceStream(this, new ChoiceOutput(p), server.eventQueueSize()));
            }
            choices = streams;
            for (int i = 0; i < plan.size() && !done; i++) {
                streams.get(i).attach(server.backend().submit(plan.get(i).spec(), streams.get(i)));
            }
            ctx.executor().execute(this::begin);
        } catch (RejectedExecutionException shuttingDown) {
            for (ChoiceStream c : choices) {
                c.cancel();
            }
        } catch (ApiException e) {
            failBeforeStart(e);
        } catch (BackendException e) {
            failBeforeStart(ApiException.fromBackend(e));
        } catch (Throwable e) {
            // whatever broke, the client gets an answer and the admission slot comes back
            failBeforeStart(new ApiException(500, "server_error", "Internal error: " + e, null, null));
            if (e instanceof VirtualMachineError fatal) {
                throw fatal;
            }
        }
    }

    private void failBeforeStart(ApiException e) {
        for (ChoiceStream c : choices) {
            c.cancel();
        }
        try {
            ctx.executor().execute(() -> end(e));
        } catch (RejectedExecutionException shuttingDown) {
            // the connection's event loop has ended; nobody is left to answer
        }
    }

    /** Event loop: every choice is submitted; send the stream's opening and deliver what already arrived. */
    private void begin() {
        if (done) {
            cancelAll();
            return;
        }
        started = true;
        if (request.stream()) {
            Responses.startEventStream(ctx, keepAlive);
            headersSent = true;
            for (ChoiceStream c : choices) {
                if (request.endpoint() == Endpoint.CHAT) {
                    Responses.event(ctx, out -> server.encoder().chatRoleChunk(out, meta, c.output().index()));
                } else if (request.echo() && request.logprobs() < 0) {
                    String echo = c.output().plan().echoText();
                    Responses.event(ctx, out -> server.encoder().contentChunk(out, meta, c.output(), echo, null));
                }
            }
            ctx.flush();
        } else {
            for (ChoiceStream c : choices) {
                c.output().text().append(c.output().plan().echoText());
            }
        }
        drain();
    }

    /** Engine thread (via a sink): schedule one drain unless one is already pending. */
    void wake() {
        if (wakeScheduled.compareAndSet(false, true)) {
            try {
                ctx.executor().execute(drainTask);
            } catch (RejectedExecutionException shuttingDown) {
                // the event loop is gone with its connection; the engine must not see the failure
                for (ChoiceStream c : choices) {
                    c.cancel();
                }
            }
        }
    }

    /** Engine thread: a choice's queue was full. */
    void overflowed() {
        overflowed = true;
    }

    /** Event loop: the socket can take more; continue a paused stream. */
    void writable() {
        if (started && !done) {
            drain();
        }
    }

    private void drain() {
        wakeScheduled.set(false);
        if (done) {
            for (ChoiceStream c : choices) {
                c.clear();
            }
            return;
        }
        if (!started) {
            return;
        }
        if (overflowed) {
            end(new ApiException(500, "server_error",
                    "The client did not read the response fast enough; generation cancelled", null, "client_too_slow"));
            return;
        }
        boolean wrote = false;
        for (ChoiceStream c : choices) {
            GenerationEvent event;
            while (!done && (!request.stream() || ctx.channel().isWritable()) && (event = c.poll()) != null) {
                wrote |= handle(c, event);
            }
        }
        if (wrote && !done) {
            ctx.flush();
        }
    }

    /** Returns whether something was written. */
    private boolean handle(ChoiceStream c, GenerationEvent event) {
        ChoiceOutput out = c.output();
        boolean logprobs = request.logprobs() >= 0;
        switch (event) {
            case PromptTokens prompt -> {
                if (!request.stream()) {
                    out.logprobTokens().addAll(prompt.tokens());
                    return false;
                }
                String echo = out.plan().echoText();
                Responses.event(ctx, o -> server.encoder().contentChunk(o, meta, out, echo, prompt.tokens()));
                return true;
            }
            case TokenDelta token -> {
                long now = System.nanoTime();
                if (c.lastTokenNanos == 0) {
                    server.metrics().timeToFirstToken().recordNanos(now - startNanos);
                } else {
                    server.metrics().interTokenLatency().recordNanos(now - c.lastTokenNanos);
                }
                c.lastTokenNanos = now;
                out.countToken();
                if (!request.stream()) {
                    out.text().append(token.text());
                    if (logprobs) {
                        out.logprobTokens().add(token);
                    }
                    return false;
                }
                if (token.text().isEmpty() && !logprobs) {
                    return false;
                }
                Responses.event(ctx, o -> server.encoder().contentChunk(o, meta, out, token.text(),
                        logprobs ? List.of(token) : null));
                return true;
            }
            case Finished finished -> {
                out.finish(finished.reason(), finished.usage());
                finishedChoices++;
                if (!finished.text().isEmpty()) {
                    if (request.stream()) {
                        Responses.event(ctx, o -> server.encoder().contentChunk(o, meta, out, finished.text(), null));
                    } else {
                        out.text().append(finished.text());
                    }
                }
                if (request.stream()) {
                    Responses.event(ctx, o -> server.encoder().finishChunk(o, meta, out.index(), finished.reason()));
                }
                if (finishedChoices == choices.size()) {
                    complete();
                }
                return true;
            }
            case Failed failed -> {
                end(ApiException.fromBackend(failed.error()));
                return true;
            }
        }
    }

    private void complete() {
        List<ChoiceOutput> outputs = outputs();
        Usage usage = ChoiceOutput.totalUsage(outputs);
        if (request.stream()) {
            if (request.includeUsage()) {
                Responses.event(ctx, o -> server.encoder().usageChunk(o, meta, usage));
            }
            Responses.endEventStream(ctx, keepAlive);
        } else {
            Responses.write(ctx, 200, "application/json", keepAlive,
                    o -> server.encoder().response(o, meta, outputs, request.logprobs() >= 0));
        }
        finish(new RequestOutcome(200, usage.promptTokens(), usage.completionTokens(), null));
    }

    /** Event loop: ends with an error, as a status and body if nothing was sent yet, else as a final event. */
    private void end(ApiException e) {
        if (done) {
            return;
        }
        cancelAll();
        Usage usage = ChoiceOutput.totalUsage(outputs());
        if (headersSent) {
            Responses.event(ctx, o -> server.encoder().error(o, e));
            Responses.endEventStream(ctx, keepAlive && !overflowed);
            finish(new RequestOutcome(200, usage.promptTokens(), usage.completionTokens(), e.getMessage()));
        } else {
            String[] headers = e.status() == 429 || e.status() == 503 ? new String[]{"Retry-After", "1"}
                    : new String[0];
            Responses.write(ctx, e.status(), "application/json", keepAlive, o -> server.encoder().error(o, e), headers);
            finish(new RequestOutcome(e.status(), usage.promptTokens(), usage.completionTokens(), e.getMessage()));
        }
    }

    /** Event loop: the client went away; stop generating and write nothing more. */
    void abort() {
        if (done) {
            return;
        }
        cancelAll();
        Usage usage = ChoiceOutput.totalUsage(outputs());
        finish(new RequestOutcome(499, usage.promptTokens(), usage.completionTokens(), "client disconnected"));
    }

    private void cancelAll() {
        done = true;
        for (ChoiceStream c : choices) {
            c.cancel();
            c.clear();
        }
    }

    private void finish(RequestOutcome outcome) {
        done = true;
        server.admission().leave();
        server.metrics().countTokens(outcome.promptTokens(), outcome.completionTokens());
        server.metrics().requestLatency().recordNanos(System.nanoTime() - startNanos);
        onDone.accept(outcome);
    }

    private List<ChoiceOutput> outputs() {
        List<ChoiceOutput> outputs = new ArrayList<>(choices.size());
        for (ChoiceStream c : choices) {
            outputs.add(c.output());
        }
        return outputs;
    }
}
