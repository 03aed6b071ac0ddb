package dev.infer4j.server.fake;

import dev.infer4j.server.backend.BackendException;
import dev.infer4j.server.backend.BackendStats;
import dev.infer4j.server.backend.Cancellable;
import dev.infer4j.server.backend.CompletionBackend;
import dev.infer4j.server.backend.EventSink;
import dev.infer4j.server.backend.Failed;
import dev.infer4j.server.backend.FinishReason;
import dev.infer4j.server.backend.Finished;
import dev.infer4j.server.backend.GenerationSpec;
import dev.infer4j.server.backend.ModelInfo;
import dev.infer4j.server.backend.PromptTokens;
import dev.infer4j.server.backend.ScoredToken;
import dev.infer4j.server.backend.TokenDelta;
import dev.infer4j.server.backend.Usage;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An in-memory engine for server tests. Its tokenizer is byte-level (id = byte + 3; 1 = {@code <s>}, 2 =
 * {@code </s>}), its chat template writes {@code <|role|>content\n}, and its "model" writes a scripted reply one
 * byte-token at a time on a single engine thread, honouring the contract of {@link CompletionBackend#submit}:
 * UTF-8-safe deltas, stop strings held back and cut, stop token ids, max tokens, ignore_eos, min_tokens, logprobs,
 * echo, cancellation seen at the next step.
 */
public final class ScriptedBackend implements CompletionBackend, AutoCloseable {

    public static final int BOS = 1;
    public static final int EOS = 2;
    private static final int BYTE_OFFSET = 3;
    private static final int VOCAB = 256 + BYTE_OFFSET;

    private final ModelInfo model;
    private final ScheduledExecutorService engine = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("fake-engine").daemon().factory());
    private volatile Function<GenerationSpec, Script> scripts = spec -> Script.reply("Hello, world!");
    private volatile boolean overloaded;
    private volatile int cachedTokens;
    private final List<Generation> generations = new CopyOnWriteArrayList<>();
    private final AtomicInteger running = new AtomicInteger();

    public ScriptedBackend(int contextLength) {
        this.model = new ModelInfo("fake-model", contextLength, VOCAB, 1_700_000_000L, "infer4j");
    }

    /** Chooses the script of every later generation. */
    public void script(Function<GenerationSpec, Script> scripts) {
        this.scripts = scripts;
    }

    /** Makes {@link #submit} refuse work as an engine with a full queue does. */
    public void overloaded(boolean overloaded) {
        this.overloaded = overloaded;
    }

    /** Prompt tokens reported as served from the prefix cache (capped at the prompt length). */
    public void cachedTokens(int cachedTokens) {
        this.cachedTokens = cachedTokens;
    }

    /** Every generation submitted so far, oldest first. */
    public List<Generation> generations() {
        return List.copyOf(generations);
    }

    public void reset() {
        generations.clear();
        scripts = spec -> Script.reply("Hello, world!");
        overloaded = false;
        cachedTokens = 0;
    }

    @Override
    public ModelInfo model() {
        return model;
    }

    @Override
    public int[] tokenize(String text, boolean addSpecial, boolean parseSpecial) {
        List<Integer> ids = new ArrayList<>();
        if (addSpecial) {
            ids.add(BOS);
        }
        int i = 0;
        while (i < text.length()) {
            if (parseSpecial && text.startsWith("<s>", i)) {
                ids.add(BOS);
                i += 3;
            } else if (parseSpecial && text.startsWith("</s>", i)) {
                ids.add(EOS);
                i += 4;
            } else {
                int cp = text.codePointAt(i);
                for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
                    ids.add((b & 0xFF) + BYTE_OFFSET);
                }
                i += Character.charCount(cp);
            }
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public byte[] tokenBytes(int tokenId) {
        return switch (tokenId) {
            case 0 -> "<unk>".getBytes(StandardCharsets.UTF_8);
            case BOS -> "<s>".getBytes(StandardCharsets.UTF_8);
            case EOS -> "</s>".getBytes(StandardCharsets.UTF_8);
            default -> {
                if (tokenId < 0 || tokenId >= VOCAB) {
                    throw new BackendException(BackendException.Kind.INVALID_REQUEST, "token id " + tokenId
                            + " is outside the vocabulary");
                }
                yield new byte[]{(byte) (tokenId - BYTE_OFFSET)};
            }
        };
    }

    @Override
    public String detokenize(int[] tokenIds) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : tokenIds) {
            out.writeBytes(tokenBytes(id));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public String renderChat(List<Map<String, Object>> messages, List<Map<String, Object>> tools,
                             boolean addGenerationPrompt, Map<String, Object> templateKwargs) {
        StringBuilder prompt = new StringBuilder("<s>");
        if (!tools.isEmpty()) {
            prompt.append("<|tools|>").append(tools.size()).append('\n');
        }
        for (Map<String, Object> m : messages) {
            Object role = m.get("role");
            if (role.equals("forbidden")) {
                throw new BackendException(BackendException.Kind.INVALID_REQUEST,
                        "Conversation roles must alternate user/assistant/user/assistant/...");
            }
            Object content = m.get("content");
            prompt.append("<|").append(role).append("|>");
            if (content instanceof String s) {
                prompt.append(s);
            } else if (content instanceof List<?> parts) {
                for (Object part : parts) {
                    prompt.append(((Map<?, ?>) part).get("text"));
                }
            }
            prompt.append('\n');
        }
        if (addGenerationPrompt) {
            prompt.append("<|assistant|>");
        }
        return prompt.toString();
    }

    @Override
    public Cancellable submit(GenerationSpec spec, EventSink sink) {
        if (overloaded) {
            throw new BackendException(BackendException.Kind.OVERLOADED, "engine queue is full");
        }
        Generation g = new Generation(spec, sink, scripts.apply(spec));
        generations.add(g);
        running.incrementAndGet();
        engine.schedule(g::start, g.script.firstDelay(), TimeUnit.MILLISECONDS);
        return g;
    }

    @Override
    public BackendStats stats() {
        return new BackendStats(0, running.get(), running.get() / 100.0);
    }

    @Override
    public void close() {
        engine.shutdownNow();
    }

    /** One generation's state on the fake engine thread, plus what tests inspect. */
    public final class Generation implements Cancellable {
        private final GenerationSpec spec;
        private final EventSink sink;
        private final Script script;
        private final byte[] replyBytes;
        private final AtomicBoolean cancelRequested = new AtomicBoolean();
        private final AtomicBoolean cancelObserved = new AtomicBoolean();
        private final AtomicInteger emitted = new AtomicInteger();
        private final AtomicBoolean ended = new AtomicBoolean();
        private final ByteArrayOutputStream output = new ByteArrayOutputStream();
        private int released;

        Generation(GenerationSpec spec, EventSink sink, Script script) {
            this.spec = spec;
            this.sink = sink;
            this.script = script;
            this.replyBytes = script.reply().getBytes(StandardCharsets.UTF_8);
        }

        public GenerationSpec spec() {
            return spec;
        }

        /** Whether the engine saw the cancellation at a step (and so stopped). */
        public boolean cancelObserved() {
            return cancelObserved.get();
        }

        /** Events handed to the sink after the generation started, prompt echo excluded. */
        public int emittedTokens() {
            return emitted.get();
        }

        public boolean ended() {
            return ended.get();
        }

        @Override
        public void cancel() {
            cancelRequested.set(true);
        }

        private void start() {
            if (stopIfCancelled()) {
                return;
            }
            if (spec.echo()) {
                List<TokenDelta> prompt = new ArrayList<>();
                int[] ids = spec.promptTokens();
                for (int i = 0; i < ids.length; i++) {
                    prompt.add(delta(ids[i], i == 0 ? Double.NaN : -1.0, ""));
                }
                sink.accept(new PromptTokens(prompt));
            }
            step();
        }

        private boolean stopIfCancelled() {
            if (cancelRequested.get()) {
                cancelObserved.set(true);
                end();
                return true;
            }
            return false;
        }

        private void end() {
            if (ended.compareAndSet(false, true)) {
                running.decrementAndGet();
            }
        }

        private void step() {
            if (stopIfCancelled()) {
                return;
            }
            int n = emitted.get();
            if (n == script.failAfter()) {
                end();
                sink.accept(new Failed(new BackendException(BackendException.Kind.INTERNAL, "scripted engine failure")));
                return;
            }
            boolean eos = n >= replyBytes.length;
            if (eos && !spec.ignoreEos() && n >= spec.minTokens() || n >= spec.maxTokens()) {
                finish(eos && n < spec.maxTokens() ? FinishReason.STOP : FinishReason.LENGTH, n);
                return;
            }
            // past the reply (ignore_eos or min_tokens) the model keeps writing dots
            byte b = eos ? (byte) '.' : replyBytes[n];
            int id = (b & 0xFF) + BYTE_OFFSET;
            output.write(b);
            emitted.incrementAndGet();
            if (contains(spec.stopTokenIds(), id)) {
                finish(FinishReason.STOP, n + 1);
                return;
            }
            String text = validPrefix(output.toByteArray());
            int stopAt = firstStop(text);
            if (stopAt >= 0) {
                sink.accept(delta(id, logprob(), text.substring(released, Math.max(released, stopAt))));
                finish(FinishReason.STOP, n + 1);
                return;
            }
            boolean last = n + 1 >= spec.maxTokens();
            int safe = last ? text.length() : text.length() - partialStopSuffix(text);
            String release = safe > released ? text.substring(released, safe) : "";
            released = Math.max(released, safe);
            sink.accept(delta(id, logprob(), release));
            engine.schedule(this::step, script.tokenDelay(), TimeUnit.MILLISECONDS);
        }

        private void finish(FinishReason reason, int completionTokens) {
            end();
            int prompt = spec.promptTokens().length;
            sink.accept(new Finished(reason, new Usage(prompt, completionTokens, Math.min(cachedTokens, prompt))));
        }

        private double logprob() {
            return spec.logprobs() >= 0 ? -0.25 : Double.NaN;
        }

        private TokenDelta delta(int id, double logprob, String text) {
            byte[] bytes = tokenBytes(id);
            ScoredToken token = new ScoredToken(id, new String(bytes, StandardCharsets.UTF_8), bytes, logprob);
            List<ScoredToken> top = new ArrayList<>();
            if (spec.logprobs() > 0 && !Double.isNaN(logprob)) {
                top.add(token);
                for (int k = 1; k < spec.logprobs(); k++) {
                    int alt = 'a' + k + BYTE_OFFSET;
                    top.add(new ScoredToken(alt, String.valueOf((char) ('a' + k)), tokenBytes(alt), -1.0 - k));
                }
            }
            return new TokenDelta(text, token, top);
        }

        private int firstStop(String text) {
            int best = -1;
            for (String stop : spec.stopStrings()) {
                int at = text.indexOf(stop);
                if (at >= 0 && (best < 0 || at < best)) {
                    best = at;
                }
            }
            return best;
        }

        /** Length of the longest suffix of text that is a proper prefix of some stop string. */
        private int partialStopSuffix(String text) {
            int longest = 0;
            for (String stop : spec.stopStrings()) {
                for (int len = Math.min(stop.length() - 1, text.length()); len > longest; len--) {
                    if (text.endsWith(stop.substring(0, len))) {
                        longest = len;
                        break;
                    }
                }
            }
            return longest;
        }
    }

    private static boolean contains(int[] ids, int id) {
        for (int x : ids) {
            if (x == id) {
                return true;
            }
        }
        return false;
    }

    /** The longest prefix of bytes that is complete UTF-8, decoded. */
    static String validPrefix(byte[] bytes) {
        for (int end = bytes.length; end >= Math.max(0, bytes.length - 3); end--) {
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes, 0, end)).toString();
            } catch (CharacterCodingException e) {
                // an incomplete character at the end: try one byte shorter
            }
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
