package dev.infer4j.kernels.cpu.matmul;

import dev.infer4j.formats.gguf.GgmlType;
import java.util.Random;

/** Random weight rows made of valid blocks: random payload bytes, finite scales. */
final class RandomWeights {

    private RandomWeights() {
    }

    /** Byte offsets of the F16 scale (and min) fields inside one block. */
    static int[] halfFields(GgmlType type) {
        return switch (type) {
            case Q8_0, Q4_0, Q5_0, IQ4_NL -> new int[] {0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q2_K -> new int[] {80, 82};
            case Q3_K -> new int[] {108};
            case Q6_K -> new int[] {208};
            default -> new int[0];
        };
    }

    /**
     * {@code rows × cols} weights. With {@code unitScales} every block scale and min is 1.0 and plain types hold
     * small integers, so that every dequantized value is an integer.
     */
    static byte[] generate(GgmlType type, int rows, int cols, Random random, boolean unitScales) {
        int n = rows * cols;
        byte[] w = new byte[(int) type.bytesFor(n)];
        switch (type) {
            case F32 -> {
                for (int i = 0; i < n; i++) {
                    float v = unitScales ? random.nextInt(17) - 8 : (float) random.nextGaussian();
                    putInt(w, 4 * i, Float.floatToRawIntBits(v));
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    float v = unitScales ? random.nextInt(17) - 8 : (float) random.nextGaussian();
                    putShort(w, 2 * i, Float.floatToFloat16(v));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    float v = unitScales ? random.nextInt(17) - 8 : (float) random.nextGaussian();
                    putShort(w, 2 * i, (short) (Float.floatToRawIntBits(v) >>> 16));
                }
            }
            default -> {
                random.nextBytes(w);
                boolean signed = !type.name().endsWith("_K") && type != GgmlType.Q4_1 && type != GgmlType.Q5_1;
                for (int b = 0; b < w.length / type.typeSize(); b++) {
                    for (int field : halfFields(type)) {
                        float scale;
                        if (unitScales) {
                            scale = 1f;
                        } else {
                            scale = (float) Math.exp(Math.log(1e-3) + random.nextDouble() * Math.log(100));
                            if (signed && random.nextBoolean()) {
                                scale = -scale;
                            }
                        }
                        putShort(w, b * type.typeSize() + field, Float.floatToFloat16(scale));
                    }
                }
            }
        }
        return w;
    }

    private static void putShort(byte[] b, int o, short v) {
        b[o] = (byte) v;
        b[o + 1] = (byte) (v >> 8);
    }

    private static void putInt(byte[] b, int o, int v) {
        putShort(b, o, (short) v);
        putShort(b, o + 2, (short) (v >>> 16));
    }
}
