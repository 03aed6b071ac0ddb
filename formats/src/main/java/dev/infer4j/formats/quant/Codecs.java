package dev.infer4j.formats.quant;

import dev.infer4j.formats.gguf.GgmlType;

/** The codec of each supported type; {@code null} for a type this package cannot convert. */
final class Codecs {
    private Codecs() {
    }

    static BlockCodec of(GgmlType type) {
        return switch (type) {
            case F32 -> F32Codec.INSTANCE;
            case F16 -> F16Codec.INSTANCE;
            case BF16 -> BF16Codec.INSTANCE;
            case Q4_0 -> Q4_0Codec.INSTANCE;
            case Q4_1 -> Q4_1Codec.INSTANCE;
            case Q5_0 -> Q5_0Codec.INSTANCE;
            case Q5_1 -> Q5_1Codec.INSTANCE;
            case Q8_0 -> Q8_0Codec.INSTANCE;
            case Q8_1 -> Q8_1Codec.INSTANCE;
            case Q2_K -> Q2_KCodec.INSTANCE;
            case Q3_K -> Q3_KCodec.INSTANCE;
            case Q4_K -> Q4_KCodec.INSTANCE;
            case Q5_K -> Q5_KCodec.INSTANCE;
            case Q6_K -> Q6_KCodec.INSTANCE;
            case Q8_K -> Q8_KCodec.INSTANCE;
            case IQ4_NL -> IQ4_NLCodec.INSTANCE;
            default -> null;
        };
    }
}
