package dev.infer4j.runtime.model;

import dev.infer4j.runtime.kv.BlockPool;
import dev.infer4j.runtime.kv.BlockTable;

/**
 * A short prefill and a few decode steps run on a model before it serves anyone, as llama.cpp's server does at
 * start-up, so that the first request does not pay for the JIT. Cold, the Vector API runs interpreted, allocating
 * every vector, until C2 has compiled the kernels: on a TinyLlama-1.1B Q4_0 model the first 18-token request took
 * 6.7 s where the next took 2.2 s and 1.7 s.
 *
 * <p>It runs {@link #PROMPT_TOKENS} tokens (enough for the many-token kernel paths) and {@link #DECODE_STEPS}
 * one-token steps in a block table of its own, which it gives back: no request, prefix-cache entry or metric sees
 * it. Its token ids are arbitrary; its logits are thrown away.
 */
public final class ModelWarmUp {
    /** Prompt length of the warm-up: two four-token tiles and the eight-token decoded tiles. */
    static final int PROMPT_TOKENS = 16;
    /** One-token forward passes after the prompt. */
    static final int DECODE_STEPS = 8;

    private ModelWarmUp() {
    }

    /**
     * Runs the warm-up on {@code model}, which nothing else may use meanwhile. Shortened to what the model's
     * context and its free KV blocks hold; does nothing if not even one block is free.
     *
     * @return the tokens it ran (prompt and steps), 0 if none
     */
    public static int run(Model model) {
        BlockPool pool = model.kvCache().pool();
        int blockSize = model.kvCache().blockSize();
        int room = Math.min(pool.freeBlocks() * blockSize, model.config().contextLength());
        int prompt = Math.min(PROMPT_TOKENS, room);
        if (prompt < 1) {
            return 0;
        }
        int steps = Math.min(DECODE_STEPS, room - prompt);
        int vocab = model.config().vocabSize();
        int[] ids = new int[prompt];
        for (int i = 0; i < prompt; i++) {
            ids[i] = (1 + 37 * i) % vocab;
        }
        BlockTable table = model.kvCache().newTable();
        try {
            table.ensureCapacity(prompt + steps, pool);
            Batch batch = new Batch();
            batch.add(table, 0, ids);
            Logits logits = model.forward(batch);
            for (int s = 0; s < steps; s++) {
                int next = logits.argmax(0);
                batch.clear();
                batch.add(table, prompt + s, next);
                logits = model.forward(batch);
            }
            return prompt + steps;
        } finally {
            table.release(pool);
        }
    }
}
