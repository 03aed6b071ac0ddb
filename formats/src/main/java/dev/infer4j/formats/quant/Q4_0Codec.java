package dev.infer4j.formats.quant;

import dev.infer4j.formats.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q4_0: 32 values as a half scale {@code d} and 16 bytes of 4-bit codes q (value = (q - 8) * d); byte j holds
 * element j in its low nibble and element j + 16 in its high nibble.
 */
final class Q4_0Codec implements BlockCodec {
    static final Q4_0Codec INSTANCE = new Q4_0Codec();
    private static final int QK = 32;
    private static final int BYTES = 18;

    private Q4_0Codec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int blocks) {
        for (int b = 0; b < blocks; b++) {
            long p = offset + (long) b * BYTES;
            int o = dstOffset + b * QK;
            float d = LittleEndian.f16(src, p);
            for (int j = 0; j < QK / 2; j++) {
                int q = LittleEndian.u8(src, p + 2 + j);
                dst[o + j] = ((q & 0x0F) - 8) * d;
                dst[o + j + QK / 2] = ((q >>> 4) - 8) * d;
            }
        }
    }

    @Override
    public void quantize(float[] src, int srcOffset, MemorySegment dst, long dstOffset, int blocks) {
        for (int b = 0; b < blocks; b++) {
            int x = srcOffset + b * QK;
            long p = dstOffset + (long) b * BYTES;
            float amax = 0;
            float max = 0;
            for (int j = 0; j < QK; j++) {
                float v = src[x + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8;
            float id = d != 0 ? 1.0f / d : 0.0f;
            LittleEndian.putF16(dst, p, d);
            for (int j = 0; j < QK / 2; j++) {
                int q0 = Math.min(15, (int) (src[x + j] * id + 8.5f));
                int q1 = Math.min(15, (int) (src[x + QK / 2 + j] * id + 8.5f));
                LittleEndian.put8(dst, p + 2 + j, q0 | (q1 << 4));
            }
        }
    }
}
