package dev.infer4j.runtime.sampling;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * How one sequence chooses its tokens and when it stops. Immutable; the compact constructor validates every
 * component and throws {@link InvalidSamplingParameterException} naming the component at fault.
 *
 * <p>The defaults ({@link #defaults()}) are llama.cpp's ({@code common_params_sampling}, which its server
 * uses): temperature 0.8, top-k 40, top-p 0.95, min-p 0.05, typical-p 1 (off), min-keep 0, repeat penalty 1
 * (off) over the last 64 tokens, frequency and presence penalties 0, no logit bias, a random seed, no minimum
 * and no maximum token count, no stop strings, no log-probabilities. An OpenAI front end passes its own
 * defaults (temperature 1, top-p 1, top-k and min-p off) explicitly.
 *
 * @param temperature      divides the logits after the filters; {@code <= 0} means greedy (argmax, lowest id on
 *                         ties). Any finite value.
 * @param topK             keep the {@code topK} most likely tokens; {@code <= 0} disables (llama.cpp and vLLM's
 *                         {@code -1} both mean off)
 * @param topP             keep the smallest most-likely prefix whose probability reaches {@code topP}; in
 *                         [0, 1], 1 disables
 * @param minP             drop tokens less likely than {@code minP} times the most likely one; in [0, 1], 0
 *                         disables
 * @param typicalP         locally typical sampling mass; in [0, 1], 1 disables
 * @param minKeep          the least number of tokens top-p, min-p and typical-p keep (llama.cpp's
 *                         {@code min_keep}); {@code >= 0}, 0 is llama.cpp's default
 * @param repeatPenalty    divides positive and multiplies non-positive logits of tokens seen in the last
 *                         {@code repeatLastN} tokens; {@code > 0}, 1 disables
 * @param repeatLastN      the window of all three penalties, in tokens of {@link TokenHistory}; {@code -1}
 *                         means the whole history, 0 disables every penalty (as llama.cpp)
 * @param frequencyPenalty subtracted once per occurrence in the window (OpenAI); finite, 0 disables
 * @param presencePenalty  subtracted once if the token occurs in the window (OpenAI); finite, 0 disables
 * @param logitBias        added to the raw logit of each token id; {@code -Infinity} bans a token. Ids
 *                         {@code >= 0}; values finite or {@code -Infinity}. Copied, iteration order kept.
 * @param seed             the random stream's seed; empty picks a random one (see {@link SamplerChain#seed()})
 * @param minTokens        end-of-generation and stop token ids are masked until this many tokens have been
 *                         generated; {@code >= 0}
 * @param maxTokens        the most tokens to generate, {@code -1} for no limit but the context (llama.cpp's
 *                         {@code n_predict}); enforced by the caller
 * @param ignoreEos        mask every end-of-generation token always (llama.cpp's server sets their bias to
 *                         {@code -Infinity}); stop token ids are not affected
 * @param stop             stop strings: the output is cut before the first one that appears; each non-empty
 * @param stopTokenIds     generation stops after any of these ids (the id itself is not rendered as text);
 *                         enforced by the caller; each {@code >= 0}
 * @param logprobs         {@link #NO_LOGPROBS} for none, otherwise the chosen token's log-probability plus this
 *                         many top alternatives, 0 to {@value #MAX_LOGPROBS}
 */
public record SamplingParams(
        float temperature,
        int topK,
        float topP,
        float minP,
        float typicalP,
        int minKeep,
        float repeatPenalty,
        int repeatLastN,
        float frequencyPenalty,
        float presencePenalty,
        Map<Integer, Float> logitBias,
        OptionalLong seed,
        int minTokens,
        int maxTokens,
        boolean ignoreEos,
        List<String> stop,
        List<Integer> stopTokenIds,
        int logprobs) {

    /** {@link #logprobs()} value asking for no log-probabilities. */
    public static final int NO_LOGPROBS = -1;

    /** The most top alternatives {@link #logprobs()} may ask for (OpenAI's limit). */
    public static final int MAX_LOGPROBS = 20;

    private static final SamplingParams DEFAULTS = new Builder().build();

    /** Validates every component and makes the collections immutable copies. */
    public SamplingParams {
        requireFinite("temperature", temperature);
        requireInUnitInterval("topP", topP);
        requireInUnitInterval("minP", minP);
        requireInUnitInterval("typicalP", typicalP);
        if (minKeep < 0) {
            throw new InvalidSamplingParameterException("minKeep", "must be >= 0, got " + minKeep);
        }
        if (!(repeatPenalty > 0) || !Float.isFinite(repeatPenalty)) {
            throw new InvalidSamplingParameterException("repeatPenalty",
                    "must be a finite number > 0 (1 disables), got " + repeatPenalty);
        }
        if (repeatLastN < -1) {
            throw new InvalidSamplingParameterException("repeatLastN",
                    "must be >= -1 (-1 = whole history, 0 = off), got " + repeatLastN);
        }
        requireFinite("frequencyPenalty", frequencyPenalty);
        requireFinite("presencePenalty", presencePenalty);
        logitBias = copyBias(logitBias);
        if (seed == null) {
            throw new InvalidSamplingParameterException("seed", "must not be null (use OptionalLong.empty())");
        }
        if (minTokens < 0) {
            throw new InvalidSamplingParameterException("minTokens", "must be >= 0, got " + minTokens);
        }
        if (maxTokens < -1) {
            throw new InvalidSamplingParameterException("maxTokens",
                    "must be >= 0, or -1 for no limit, got " + maxTokens);
        }
        if (maxTokens >= 0 && minTokens > maxTokens) {
            throw new InvalidSamplingParameterException("minTokens",
                    "must not exceed maxTokens (" + maxTokens + "), got " + minTokens);
        }
        stop = copyStops(stop);
        stopTokenIds = copyStopTokenIds(stopTokenIds);
        if (logprobs < NO_LOGPROBS || logprobs > MAX_LOGPROBS) {
            throw new InvalidSamplingParameterException("logprobs",
                    "must be -1 (none) or 0.." + MAX_LOGPROBS + ", got " + logprobs);
        }
    }

    /** llama.cpp's defaults, listed in the class comment. */
    public static SamplingParams defaults() {
        return DEFAULTS;
    }

    /** Greedy decoding (temperature 0) with every other setting at its default. */
    public static SamplingParams greedy() {
        return new Builder().temperature(0).build();
    }

    /** A builder starting from {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** True when the chain takes the argmax instead of drawing. */
    public boolean isGreedy() {
        return temperature <= 0;
    }

    private static void requireFinite(String name, float value) {
        if (!Float.isFinite(value)) {
            throw new InvalidSamplingParameterException(name, "must be a finite number, got " + value);
        }
    }

    private static void requireInUnitInterval(String name, float value) {
        if (!(value >= 0 && value <= 1)) {
            throw new InvalidSamplingParameterException(name, "must be in [0, 1], got " + value);
        }
    }

    private static Map<Integer, Float> copyBias(Map<Integer, Float> bias) {
        if (bias == null) {
            throw new InvalidSamplingParameterException("logitBias", "must not be null (use an empty map)");
        }
        Map<Integer, Float> copy = new LinkedHashMap<>();
        for (Map.Entry<Integer, Float> e : bias.entrySet()) {
            Integer id = e.getKey();
            Float value = e.getValue();
            if (id == null || id < 0) {
                throw new InvalidSamplingParameterException("logitBias", "token ids must be >= 0, got " + id);
            }
            if (value == null || Float.isNaN(value) || value == Float.POSITIVE_INFINITY) {
                throw new InvalidSamplingParameterException("logitBias",
                        "bias of token " + id + " must be finite or -Infinity, got " + value);
            }
            copy.put(id, value);
        }
        return Collections.unmodifiableMap(copy);
    }

    private static List<String> copyStops(List<String> stops) {
        if (stops == null) {
            throw new InvalidSamplingParameterException("stop", "must not be null (use an empty list)");
        }
        for (int i = 0; i < stops.size(); i++) {
            String s = stops.get(i);
            if (s == null || s.isEmpty()) {
                throw new InvalidSamplingParameterException("stop",
                        "stop string " + i + " must be non-empty, got " + (s == null ? "null" : "\"\""));
            }
        }
        return List.copyOf(stops);
    }

    private static List<Integer> copyStopTokenIds(List<Integer> ids) {
        if (ids == null) {
            throw new InvalidSamplingParameterException("stopTokenIds", "must not be null (use an empty list)");
        }
        for (Integer id : ids) {
            if (id == null || id < 0) {
                throw new InvalidSamplingParameterException("stopTokenIds", "ids must be >= 0, got " + id);
            }
        }
        return List.copyOf(ids);
    }

    /** Mutable builder for {@link SamplingParams}; {@link #build()} validates. */
    public static final class Builder {
        private float temperature = 0.8f;
        private int topK = 40;
        private float topP = 0.95f;
        private float minP = 0.05f;
        private float typicalP = 1.0f;
        private int minKeep = 0;
        private float repeatPenalty = 1.0f;
        private int repeatLastN = 64;
        private float frequencyPenalty = 0.0f;
        private float presencePenalty = 0.0f;
        private Map<Integer, Float> logitBias = Map.of();
        private OptionalLong seed = OptionalLong.empty();
        private int minTokens = 0;
        private int maxTokens = -1;
        private boolean ignoreEos = false;
        private List<String> stop = List.of();
        private List<Integer> stopTokenIds = List.of();
        private int logprobs = NO_LOGPROBS;

        private Builder() {
        }

        private Builder(SamplingParams p) {
            temperature = p.temperature;
            topK = p.topK;
            topP = p.topP;
            minP = p.minP;
            typicalP = p.typicalP;
            minKeep = p.minKeep;
            repeatPenalty = p.repeatPenalty;
            repeatLastN = p.repeatLastN;
            frequencyPenalty = p.frequencyPenalty;
            presencePenalty = p.presencePenalty;
            logitBias = p.logitBias;
            seed = p.seed;
            minTokens = p.minTokens;
            maxTokens = p.maxTokens;
            ignoreEos = p.ignoreEos;
            stop = p.stop;
            stopTokenIds = p.stopTokenIds;
            logprobs = p.logprobs;
        }

        /** See {@link SamplingParams#temperature()}. */
        public Builder temperature(float v) { temperature = v; return this; }
        /** See {@link SamplingParams#topK()}. */
        public Builder topK(int v) { topK = v; return this; }
        /** See {@link SamplingParams#topP()}. */
        public Builder topP(float v) { topP = v; return this; }
        /** See {@link SamplingParams#minP()}. */
        public Builder minP(float v) { minP = v; return this; }
        /** See {@link SamplingParams#typicalP()}. */
        public Builder typicalP(float v) { typicalP = v; return this; }
        /** See {@link SamplingParams#minKeep()}. */
        public Builder minKeep(int v) { minKeep = v; return this; }
        /** See {@link SamplingParams#repeatPenalty()}. */
        public Builder repeatPenalty(float v) { repeatPenalty = v; return this; }
        /** See {@link SamplingParams#repeatLastN()}. */
        public Builder repeatLastN(int v) { repeatLastN = v; return this; }
        /** See {@link SamplingParams#frequencyPenalty()}. */
        public Builder frequencyPenalty(float v) { frequencyPenalty = v; return this; }
        /** See {@link SamplingParams#presencePenalty()}. */
        public Builder presencePenalty(float v) { presencePenalty = v; return this; }
        /** See {@link SamplingParams#logitBias()}. */
        public Builder logitBias(Map<Integer, Float> v) { logitBias = v; return this; }
        /** A fixed seed; see {@link SamplingParams#seed()}. */
        public Builder seed(long v) { seed = OptionalLong.of(v); return this; }
        /** See {@link SamplingParams#seed()}. */
        public Builder seed(OptionalLong v) { seed = v; return this; }
        /** See {@link SamplingParams#minTokens()}. */
        public Builder minTokens(int v) { minTokens = v; return this; }
        /** See {@link SamplingParams#maxTokens()}. */
        public Builder maxTokens(int v) { maxTokens = v; return this; }
        /** See {@link SamplingParams#ignoreEos()}. */
        public Builder ignoreEos(boolean v) { ignoreEos = v; return this; }
        /** See {@link SamplingParams#stop()}. */
        public Builder stop(List<String> v) { stop = v; return this; }
        /** See {@link SamplingParams#stopTokenIds()}. */
        public Builder stopTokenIds(List<Integer> v) { stopTokenIds = v; return this; }
        /** See {@link SamplingParams#logprobs()}. */
        public Builder logprobs(int v) { logprobs = v; return this; }

        /** Validates and builds; throws {@link InvalidSamplingParameterException}. */
        public SamplingParams build() {
            return new SamplingParams(temperature, topK, topP, minP, typicalP, minKeep, repeatPenalty,
                    repeatLastN, frequencyPenalty, presencePenalty, logitBias, seed, minTokens, maxTokens,
                    ignoreEos, stop, stopTokenIds, logprobs);
        }
    }
}
