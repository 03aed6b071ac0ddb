package dev.infer4j.bench.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The prompts of a run: read from a JSONL file, or synthetic text of a chosen length in common English words
 * (about one token each in Llama-style vocabularies), different for every request so that a prefix cache does
 * not flatter the numbers unless the run asks for shared prefixes.
 */
final class PromptSource {
    private static final String[] WORDS = ("the of and to in is was for on that with as it his he at by from her "
            + "they this had not are but have one she all you which were when we there can an their been has more "
            + "if will would who so no out up into time than them some could other then its two these first may "
            + "like now over only new very after most also made many before must through back years where much "
            + "your way well down should because each just those people how too little state good take world day "
            + "house long great old small large story child girl boy garden river forest tree bird cat dog sun")
            .split(" ");

    private PromptSource() {
    }

    /** The prompts for a run of {@code config}. */
    static List<String> prompts(LoadConfig config) throws IOException {
        return config.promptsJsonl() != null ? fromJsonl(config) : synthetic(config);
    }

    private static List<String> synthetic(LoadConfig config) {
        SplittableRandom random = new SplittableRandom(config.seed());
        String prefix = words(new SplittableRandom(config.seed() ^ 0x51ED), config.sharedPrefixTokens());
        List<String> prompts = new ArrayList<>(config.numPrompts());
        for (int i = 0; i < config.numPrompts(); i++) {
            int jitter = config.promptJitter() == 0 ? 0
                    : random.nextInt(-config.promptJitter(), config.promptJitter() + 1);
            // the shared prefix is part of the prompt length, so a cached prefix shortens the prefill it stands for
            int words = Math.max(1, config.promptTokens() - config.sharedPrefixTokens() + jitter);
            String own = words(random, words);
            prompts.add(prefix.isEmpty() ? own : prefix + " " + own);
        }
        return prompts;
    }

    private static String words(SplittableRandom random, int count) {
        StringBuilder sb = new StringBuilder();
        for (int w = 0; w < count; w++) {
            sb.append(w == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
        }
        return sb.toString();
    }

    private static List<String> fromJsonl(LoadConfig config) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> all = new ArrayList<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(config.promptsJsonl())) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode node = json.readTree(line);
            if (!node.path("prompt").isTextual()) {
                throw new IllegalArgumentException(config.promptsJsonl() + " line " + lineNo
                        + ": expected an object with a string field \"prompt\"");
            }
            all.add(node.get("prompt").asText());
        }
        if (all.isEmpty()) {
            throw new IllegalArgumentException(config.promptsJsonl() + " holds no prompts");
        }
        List<String> prompts = new ArrayList<>(config.numPrompts());
        for (int i = 0; i < config.numPrompts(); i++) {
            prompts.add(all.get(i % all.size()));
        }
        return prompts;
    }
}
