package dev.infer4j.formats.quant;

import dev.infer4j.formats.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q5_1: 32 values as half scale {@code d}, half minimum {@code m}, a 32-bit word of fifth bits and 16 bytes of
 * low nibbles; value = q * d + m.
 */
final class Q5_1Codec implements BlockCodec {
    static final Q5_1Codec INSTANCE = new Q5_1Codec();
    private static final int QK = 32;
    private static final int BYTES = 24;

    private Q5_1Codec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_1;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int blocks) {
        for (int b = 0; b < blocks; b++) {
            long p = offset + (long) b * BYTES;
            int o = dstOffset + b * QK;
            float d = LittleEndian.f16(src, p);
            float m = LittleEndian.f16(src, p + 2);
            int qh = src.get(LittleEndian.INT, p + 4);
            for (int j = 0; j < QK / 2; j++) {
                int q = LittleEndian.u8(src, p + 8 + j);
                int h0 = ((qh >>> j) << 4) & 0x10;
                int h1 = (qh >>> (j + 12)) & 0x10;
                dst[o + j] = ((q & 0x0F) | h0) * d + m;
                dst[o + j + QK / 2] = ((q >>> 4) | h1) * d + m;
            }
        }
    }

    @Override
    public void quantize(float[] src, int srcOffset, MemorySegment dst, long dstOffset, int blocks) {
        for (int b = 0; b < blocks; b++) {
            int x = srcOffset + b * QK;
            long p = dstOffset + (long) b * BYTES;
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (int j = 0; j < QK; j++) {
                float v = src[x + j];
                if (v < min) {
                    min = v;
                }
                if (v > max) {
                    max = v;
                }
            }
            float d = (max - min) / 31;
            float id = d != 0 ? 1.0f / d : 0.0f;
            LittleEndian.putF16(dst, p, d);
            LittleEndian.putF16(dst, p + 2, min);
            int qh = 0;
            for (int j = 0; j < QK / 2; j++) {
                // ggml converts to uint8_t here without clamping; keep the same byte
                int q0 = ((int) ((src[x + j] - min) * id + 0.5f)) & 0xFF;
                int q1 = ((int) ((src[x + QK / 2 + j] - min) * id + 0.5f)) & 0xFF;
                LittleEndian.put8(dst, p + 8 + j, (q0 & 0x0F) | ((q1 & 0x0F) << 4));
                qh |= ((q0 & 0x10) >>> 4) << j;
                qh |= ((q1 & 0x10) >>> 4) << (j + QK / 2);
            }
            dst.set(LittleEndian.INT, p + 4, qh);
        }
    }
}
