package dev.infer4j.runtime.model;

import dev.infer4j.runtime.kv.BlockTable;

/**
 * Test driver: feeds a prompt as one batch, then greedy tokens one at a time, the way the llama.cpp references
 * were made, and records what came out.
 */
final class Greedy {
    /** What one greedy run produced. */
    record Run(float[] promptLogits, float[][] stepLogits, int[] tokens) {
    }

    private Greedy() {
    }

    /** Runs {@code prompt} then {@code steps} greedy tokens in a fresh block table, releasing it afterwards. */
    static Run run(Model model, int[] prompt, int steps) {
        BlockTable table = model.kvCache().newTable();
        try {
            Batch batch = new Batch();
            float[][] stepLogits = new float[steps][model.config().vocabSize()];
            int[] tokens = new int[steps];
            table.ensureCapacity(prompt.length, model.kvCache().pool());
            batch.add(table, 0, prompt);
            Logits logits = model.forward(batch);
            float[] promptLogits = new float[logits.vocabSize()];
            logits.copyRow(0, promptLogits, 0);
            int position = prompt.length;
            for (int s = 0; s < steps; s++) {
                logits.copyRow(0, stepLogits[s], 0);
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
            return new Run(promptLogits, stepLogits, tokens);
        } finally {
            table.release(model.kvCache().pool());
        }
    }

    /** log_softmax of {@code logits}, in double for the sum as llama.cpp's server does it in float then log. */
    static float[] logSoftmax(float[] logits) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v - max);
        }
        float[] out = new float[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = (float) (logits[i] - max - Math.log(sum));
        }
        return out;
    }
}
