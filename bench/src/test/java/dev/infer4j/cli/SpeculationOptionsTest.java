package dev.infer4j.cli;

import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The speculative decoding options {@code generate} and {@code serve} share: the same mistakes are refused by both
 * with one clear line and status 1, before any model is loaded or any port bound.
 */
@Timeout(120)
class SpeculationOptionsTest {

    private static final String TARGET = SharedData.file("models/gguf/stories260K.gguf").toString();
    private static final String DRAFT = SharedData.file("models/gguf/stories260K-Q4_0.gguf").toString();
    /** Another model's vocabulary (2048 tokens against the target's 512). */
    private static final String FOREIGN_DRAFT = SharedData.file("models/gguf/TinyStories-656K-requant-Q4_0.gguf")
            .toString();

    /** The command's own arguments, to which each test adds the speculation options under test. */
    private static String[] command(String name, String... speculation) {
        String[] base = name.equals("generate")
                ? new String[] {"generate", "-m", TARGET, "-p", "Once upon a time", "-n", "12", "--temp", "0",
                        "--no-warmup", "-t", "1"}
                : new String[] {"serve", "-m", TARGET, "--port", "0", "--no-warmup", "-t", "1", "-np", "1"};
        String[] all = java.util.Arrays.copyOf(base, base.length + speculation.length);
        System.arraycopy(speculation, 0, all, base.length, speculation.length);
        return all;
    }

    private static void assertOneLineError(CliRun r, String command, String expected) {
        assertEquals(1, r.status(), () -> command + " exit status; stderr: " + r.err());
        assertTrue(r.err().startsWith("infer4j " + command + ": ") && r.err().contains(expected),
                () -> command + ": expected \"" + expected + "\" on stderr, got: " + r.err());
        assertFalse(r.err().contains("\tat "), () -> command + " printed a stack trace: " + r.err());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"generate", "serve"})
    void anUnknownSpecMethodIsRefused(String command) {
        assertOneLineError(CliRun.of(command(command, "--spec", "foo")), command,
                "--spec supports only ngram, got foo");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"generate", "serve"})
    void ngramTogetherWithADraftModelIsRefused(String command) {
        assertOneLineError(CliRun.of(command(command, "--spec", "ngram", "--draft-model", DRAFT)), command,
                "--spec ngram and --draft-model exclude each other");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"generate", "serve"})
    void aDraftWithAnotherVocabularyIsRefusedAtStartup(String command) {
        assertOneLineError(CliRun.of(command(command, "--draft-model", FOREIGN_DRAFT)), command,
                "the draft model has a vocabulary of 2048 tokens, the target 512");
    }

    @Test
    void generateWithADraftModelGivesTheGreedyTextAndReportsSpeculation() {
        CliRun plain = CliRun.of(command("generate"));
        CliRun drafted = CliRun.of(command("generate", "--draft-model", DRAFT, "--draft-max", "4"));
        assertEquals(0, drafted.status(), drafted.err());
        assertEquals(plain.out(), drafted.out(), "greedy text with a draft model differs from the target's own");
        assertTrue(drafted.err().contains("speculation      = ") && drafted.err().contains("drafted"), drafted.err());
        assertFalse(plain.err().contains("speculation"), "a plain run reports speculation: " + plain.err());
    }

    @Test
    void generateWithNgramLookupReportsSpeculation() {
        CliRun r = CliRun.of(command("generate", "--spec", "ngram"));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("speculation      = "), r.err());
    }
}
