package dev.infer4j.runtime.sampling;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplingParamsTest {

    @Test
    void defaultsAreLlamaCpps() {
        SamplingParams d = SamplingParams.defaults();
        assertEquals(0.8f, d.temperature());
        assertEquals(40, d.topK());
        assertEquals(0.95f, d.topP());
        assertEquals(0.05f, d.minP());
        assertEquals(1.0f, d.typicalP());
        assertEquals(0, d.minKeep());
        assertEquals(1.0f, d.repeatPenalty());
        assertEquals(64, d.repeatLastN());
        assertEquals(0f, d.frequencyPenalty());
        assertEquals(0f, d.presencePenalty());
        assertEquals(Map.of(), d.logitBias());
        assertEquals(OptionalLong.empty(), d.seed());
        assertEquals(0, d.minTokens());
        assertEquals(-1, d.maxTokens());
        assertEquals(false, d.ignoreEos());
        assertEquals(List.of(), d.stop());
        assertEquals(List.of(), d.stopTokenIds());
        assertEquals(SamplingParams.NO_LOGPROBS, d.logprobs());
        assertTrue(SamplingParams.greedy().isGreedy());
        assertEquals(d, d.toBuilder().build(), "toBuilder round trip");
    }

    private static void assertRejected(String parameter, String messagePart, UnaryOperator<SamplingParams.Builder> b) {
        InvalidSamplingParameterException e = assertThrows(InvalidSamplingParameterException.class,
                () -> b.apply(SamplingParams.builder()).build(), parameter);
        assertEquals(parameter, e.parameter(), e.getMessage());
        assertTrue(e.getMessage().startsWith(parameter + ": ") && e.getMessage().contains(messagePart),
                "message \"" + e.getMessage() + "\" should name " + parameter + " and say " + messagePart);
    }

    @Test
    void everyOutOfRangeValueIsRejectedNamingItsField() {
        assertRejected("temperature", "finite", b -> b.temperature(Float.NaN));
        assertRejected("temperature", "finite", b -> b.temperature(Float.POSITIVE_INFINITY));
        assertRejected("topP", "[0, 1], got 1.5", b -> b.topP(1.5f));
        assertRejected("topP", "got -0.1", b -> b.topP(-0.1f));
        assertRejected("minP", "[0, 1]", b -> b.minP(2f));
        assertRejected("typicalP", "[0, 1]", b -> b.typicalP(Float.NaN));
        assertRejected("minKeep", ">= 0", b -> b.minKeep(-1));
        assertRejected("repeatPenalty", "> 0", b -> b.repeatPenalty(0f));
        assertRejected("repeatLastN", ">= -1", b -> b.repeatLastN(-2));
        assertRejected("frequencyPenalty", "finite", b -> b.frequencyPenalty(Float.NEGATIVE_INFINITY));
        assertRejected("presencePenalty", "finite", b -> b.presencePenalty(Float.NaN));
        assertRejected("logitBias", "token ids must be >= 0", b -> b.logitBias(Map.of(-3, 1f)));
        assertRejected("logitBias", "bias of token 5", b -> b.logitBias(Map.of(5, Float.POSITIVE_INFINITY)));
        Map<Integer, Float> withNull = new HashMap<>();
        withNull.put(1, null);
        assertRejected("logitBias", "got null", b -> b.logitBias(withNull));
        assertRejected("seed", "null", b -> b.seed((OptionalLong) null));
        assertRejected("minTokens", ">= 0", b -> b.minTokens(-1));
        assertRejected("maxTokens", "-1 for no limit", b -> b.maxTokens(-5));
        assertRejected("minTokens", "must not exceed maxTokens (3)", b -> b.minTokens(4).maxTokens(3));
        assertRejected("stop", "stop string 1 must be non-empty", b -> b.stop(List.of("a", "")));
        assertRejected("stop", "null", b -> b.stop(Arrays.asList("a", null)));
        assertRejected("stopTokenIds", ">= 0", b -> b.stopTokenIds(List.of(-1)));
        assertRejected("logprobs", "0..20, got 21", b -> b.logprobs(21));
        assertRejected("logprobs", "got -2", b -> b.logprobs(-2));
    }

    @Test
    void acceptedEdgeValuesAndDefensiveCopies() {
        Map<Integer, Float> bias = new HashMap<>(Map.of(3, Float.NEGATIVE_INFINITY));
        SamplingParams p = SamplingParams.builder().temperature(-1).topK(-1).topP(0).minP(1).typicalP(0)
                .repeatLastN(-1).logitBias(bias).maxTokens(0).logprobs(20).build();
        bias.put(4, 1f);
        assertEquals(Map.of(3, Float.NEGATIVE_INFINITY), p.logitBias(), "the bias map must be copied");
        assertTrue(p.isGreedy(), "a negative temperature is greedy");
        assertThrows(UnsupportedOperationException.class, () -> p.logitBias().put(1, 1f));
    }
}
