package dev.infer4j.runtime.engine;

import dev.infer4j.runtime.sampling.SamplingParams;
import dev.infer4j.runtime.spec.Speculation;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Greedy speculative decoding gives token for token the target's own greedy output on every pair of model files in
 * {@code ../shared} that share a vocabulary (each file of a family as target, each other file of it as draft), and
 * with n-gram lookup on every file as target. Short generations of a small batch keep the whole set quick, but
 * every case must actually have proposals verified.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SpeculativeGreedyIdentityTest {
    private static final Path MODELS = SharedData.file("models/gguf");
    /** The vocabulary families: every file of one speaks the same 512 or 2048 tokens. */
    private static final Map<String, List<String>> FAMILIES = Map.of(
            "stories260K", List.of("stories260K.gguf", "stories260K-BF16.gguf", "stories260K-F16.gguf",
                    "stories260K-IQ4_NL.gguf", "stories260K-Q4_0.gguf", "stories260K-Q4_1.gguf",
                    "stories260K-Q5_0.gguf", "stories260K-Q5_1.gguf", "stories260K-Q8_0.gguf"),
            "TinyStories-656K", List.of("TinyStories-656K-F32.gguf", "TinyStories-656K-Q8_0.gguf",
                    "TinyStories-656K-requant-Q4_0.gguf", "TinyStories-656K-requant-Q5_1.gguf"));
    /** A legacy-format file infer4j refuses (tested elsewhere), not a model of the family. */
    private static final String UNSUPPORTED = "stories260K-gguf-v1-unsupported.gguf";
    /** Repetition in the prompt gives n-gram lookup something to find from the first step. */
    private static final String[] PROMPTS = {"Lily saw a cat. Lily saw a bird. Lily saw a big dog. Lily saw a",
            "Once upon a time, there was a little girl named Lily. One day, Lily"};
    private static final int TOKENS = 28;
    /** Small blocks' worth of context for two sequences batched together. */
    private static final EngineConfig CONFIG = new EngineConfig(128, 2, 64, 0, 4, 2);
    /** The target's own greedy tokens per file, computed once. */
    private static final Map<String, List<int[]>> PLAIN = new ConcurrentHashMap<>();

    static Stream<Arguments> draftPairs() {
        List<Arguments> pairs = new ArrayList<>();
        for (List<String> family : FAMILIES.values()) {
            for (String target : family) {
                for (String draft : family) {
                    if (!target.equals(draft)) {
                        pairs.add(Arguments.of(target, draft));
                    }
                }
            }
        }
        return pairs.stream();
    }

    static Stream<String> everyFile() {
        return FAMILIES.values().stream().flatMap(List::stream);
    }

    @Test
    void theFamiliesListEveryFileOfTheirVocabularyInSharedData() throws IOException {
        List<String> listed = everyFile().sorted().toList();
        List<String> present;
        try (Stream<Path> files = Files.list(MODELS)) {
            present = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".gguf") && !n.equals(UNSUPPORTED))
                    .filter(n -> FAMILIES.keySet().stream().anyMatch(n::startsWith))
                    .sorted().toList();
        }
        assertEquals(present, listed, "a model file of a tested family in " + MODELS + " is not paired");
    }

    @ParameterizedTest(name = "target {0}, draft {1}")
    @MethodSource("draftPairs")
    void aDraftModelGivesTheTargetsGreedyTokens(String target, String draft) throws Exception {
        assertSameGreedyTokens(target, new Speculation.DraftFile(MODELS.resolve(draft), 4, 0f));
    }

    @ParameterizedTest(name = "target {0}")
    @MethodSource("everyFile")
    void ngramLookupGivesTheTargetsGreedyTokens(String target) throws Exception {
        assertSameGreedyTokens(target, Speculation.Ngram.of(4));
    }

    private static void assertSameGreedyTokens(String target, Speculation speculation) throws Exception {
        Path file = MODELS.resolve(target);
        List<int[]> plain = PLAIN.get(target);
        if (plain == null) {
            plain = new ArrayList<>();
            try (Engine engine = Engine.open(file, CONFIG)) {
                for (Completion c : generateAll(engine)) {
                    plain.add(c.tokens());
                }
            }
            PLAIN.put(target, plain);
        }
        try (Engine engine = Engine.open(file, CONFIG, speculation)) {
            List<Completion> spec = generateAll(engine);
            long drafted = 0;
            for (int i = 0; i < PROMPTS.length; i++) {
                assertArrayEquals(plain.get(i), spec.get(i).tokens(), target + " with " + speculation
                        + ": tokens for \"" + PROMPTS[i] + "\" differ from the target's own greedy tokens");
                drafted += spec.get(i).usage().speculation().draftedTokens();
            }
            assertTrue(drafted > 0, target + " with " + speculation + ": nothing was proposed");
        }
    }

    /** Both prompts submitted together, so they share steps. */
    private static List<Completion> generateAll(Engine engine) throws InterruptedException {
        SamplingParams greedy = SamplingParams.greedy().toBuilder().maxTokens(TOKENS).build();
        List<GenerationStream> streams = new ArrayList<>();
        for (String prompt : PROMPTS) {
            streams.add(engine.stream(GenerationRequest.of(Prompt.text(prompt), greedy)));
        }
        List<Completion> out = Completions.collectAll(streams);
        for (Completion c : out) {
            assertEquals(TOKENS, c.tokens().length, "the generation stopped early, leaving little to speculate on");
        }
        return out;
    }
}
