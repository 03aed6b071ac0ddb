package dev.infer4j.formats.quant;

import dev.infer4j.formats.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q5_0: 32 values as half scale {@code d}, a 32-bit word of fifth bits (bit j for element j) and 16 bytes of
 * low nibbles arranged as in Q4_0; value = (q - 16) * d.
 */
final class Q5_0Codec implements BlockCodec {
    static final Q5_0Codec INSTANCE = new Q5_0Codec();
    private static final int QK = 32;
    private static final int BYTES = 22;

    private Q5_0Codec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_0;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int blocks) {
        for (int b = 0; b < blocks; b++) {
            long p = offset + (long) b * BYTES;
            int o = dstOffset + b * QK;
            float d = LittleEndian.f16(src, p);
            int qh = src.get(LittleEndian.INT, p + 2);
            for (int j = 0; j < QK / 2; j++) {
                int q = LittleEndian.u8(src, p + 6 + j);
                int h0 = ((qh >>> j) << 4) & 0x10;
                int h1 = (qh >>> (j + 12)) & 0x10;
                dst[o + j] = (((q & 0x0F) | h0) - 16) * d;
                dst[o + j + QK / 2] = (((q >>> 4) | h1) - 16) * d;
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
            float d = max / -16;
            float id = d != 0 ? 1.0f / d : 0.0f;
            LittleEndian.putF16(dst, p, d);
            int qh = 0;
            for (int j = 0; j < QK / 2; j++) {
                int q0 = Math.min(31, (int) (src[x + j] * id + 16.5f));
                int q1 = Math.min(31, (int) (src[x + QK / 2 + j] * id + 16.5f));
                LittleEndian.put8(dst, p + 6 + j, (q0 & 0x0F) | ((q1 & 0x0F) << 4));
                qh |= ((q0 & 0x10) >>> 4) << j;
                qh |= ((q1 & 0x10) >>> 4) << (j + QK / 2);
            }
            dst.set(LittleEndian.INT, p + 2, qh);
        }
    }
}
