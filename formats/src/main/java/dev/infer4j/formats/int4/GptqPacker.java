package dev.infer4j.formats.int4;

/**
 * Round-to-nearest GPTQ quantization and AutoGPTQ's packing, for writing test checkpoints and fixtures.
 *
 * <p>Per group and output row the parameters follow AutoGPTQ's quantizer: the range is widened to include 0;
 * symmetric groups use {@code max(|min|, max)} on both sides and the zero point {@code (maxq+1)/2}; asymmetric ones
 * {@code zero = round(−min/scale)}; an all-zero group gets the range [−1, 1]; {@code scale = (max − min)/maxq},
 * stored as F16. Values are {@code clamp(round(w/scale) + zero, 0, maxq)} with the F16 scale, as AutoGPTQ's
 * {@code pack} recomputes them. {@code qweight[c/(32/bits)][r]} holds input {@code c} at bit
 * {@code bits·(c mod 32/bits)}; {@code qzeros} packs the zero points along the output the same way, minus one in
 * the v1 format.
 */
public final class GptqPacker {
    private GptqPacker() {
    }

    /**
     * Quantizes and packs {@code w} ({@code rows} rows of {@code cols} inputs).
     *
     * @param groupSize  inputs per group, or -1 for one group per row
     * @param groupIndex the group of each input column (act-order), or null for {@code c / groupSize}
     * @param v1         store zero points minus one (AutoGPTQ's {@code checkpoint_format: gptq})
     */
    public static PackedMatrix pack(float[] w, int rows, int cols, int bits, int groupSize, boolean symmetric,
                                    int[] groupIndex, boolean v1) {
        if (bits != 2 && bits != 4 && bits != 8) {
            throw new IllegalArgumentException("GPTQ packing supports 2, 4 and 8 bits, got " + bits);
        }
        int pack = 32 / bits;
        if (cols % pack != 0 || rows % pack != 0 || w.length != rows * cols) {
            throw new IllegalArgumentException("shape " + rows + "x" + cols + " does not fit " + bits + "-bit packing");
        }
        int gs = groupSize == -1 ? cols : groupSize;
        int groups = (cols + gs - 1) / gs;
        int[] gIdx = new int[cols];
        for (int c = 0; c < cols; c++) {
            gIdx[c] = groupIndex == null ? c / gs : groupIndex[c];
        }
        int maxq = (1 << bits) - 1;
        short[] scales = new short[groups * rows];
        int[] zeros = new int[groups * rows];
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < groups; g++) {
                float min = 0f;
                float max = 0f;
                for (int c = 0; c < cols; c++) {
                    if (gIdx[c] == g) {
                        min = Math.min(min, w[r * cols + c]);
                        max = Math.max(max, w[r * cols + c]);
                    }
                }
                if (symmetric) {
                    max = Math.max(-min, max);
                    if (min < 0) {
                        min = -max;
                    }
                }
                if (min == 0f && max == 0f) {
                    min = -1f;
                    max = 1f;
                }
                float scale = (max - min) / maxq;
                scales[g * rows + r] = Float.floatToFloat16(scale);
                zeros[g * rows + r] = symmetric ? (maxq + 1) / 2 : (int) Math.rint(-min / scale);
            }
        }
        int[] quants = new int[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int g = gIdx[c];
                float s = Float.float16ToFloat(scales[g * rows + r]);
                int q = (int) Math.rint(w[r * cols + c] / s) + zeros[g * rows + r];
                quants[r * cols + c] = Math.clamp(q, 0, maxq);
            }
        }
        int[] qweight = new int[cols / pack * rows];
        for (int c = 0; c < cols; c++) {
            for (int r = 0; r < rows; r++) {
                qweight[(c / pack) * rows + r] |= quants[r * cols + c] << (bits * (c % pack));
            }
        }
        int offset = v1 ? 1 : 0;
        int[] qzeros = new int[groups * rows / pack];
        for (int g = 0; g < groups; g++) {
            for (int r = 0; r < rows; r++) {
                // v1 stores zero − 1; a zero of 0 wraps to all ones, as AutoGPTQ's unsigned packing does
                int stored = (zeros[g * rows + r] - offset) & maxq;
                qzeros[g * (rows / pack) + r / pack] |= stored << (bits * (r % pack));
            }
        }
        return new PackedMatrix(PackedLayout.GPTQ, bits, rows, cols, gs, offset, qweight, qzeros, scales, gIdx,
                quants, zeros);
    }
}
