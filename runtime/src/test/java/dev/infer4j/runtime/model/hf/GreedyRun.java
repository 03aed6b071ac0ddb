package dev.infer4j.runtime.model.hf;

import dev.infer4j.runtime.kv.BlockTable;
import dev.infer4j.runtime.model.Batch;
import dev.infer4j.runtime.model.Logits;
import dev.infer4j.runtime.model.Model;

/** Test driver: the prompt as one batch, then greedy tokens one at a time; records the first logits too. */
record GreedyRun(float[] firstLogits, int[] tokens) {

    static GreedyRun of(Model model, int[] prompt, int steps) {
        BlockTable table = model.kvCache().newTable();
        try {
            Batch batch = new Batch();
            int[] tokens = new int[steps];
            table.ensureCapacity(prompt.length, model.kvCache().pool());
            batch.add(table, 0, prompt);
            Logits logits = model.forward(batch);
            float[] first = new float[logits.vocabSize()];
            logits.copyRow(0, first, 0);
            int position = prompt.length;
            for (int s = 0; s < steps; s++) {
                tokens[s] = logits.argmax(0);
                if (s + 1 == steps) {
                    break;
                }
                table.ensureCapacity(position + 1, model.kvCache().pool());
                batch.clear();
                batch.add(table, position, tokens[s]);
                logits = model.forward(batch);
                position++;
            }
            return new GreedyRun(first, tokens);
        } finally {
            table.release(model.kvCache().pool());
        }
    }
}
