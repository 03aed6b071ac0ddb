package dev.infer4j.formats.quant;

import dev.infer4j.formats.gguf.GgmlType;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A whole-model quantization target: one of llama.cpp's file types ({@code llama_ftype}) with the id that
 * {@code general.file_type} records and the base type its tensors get before the per-tensor rules of
 * {@link TensorTypePlan} adjust them.
 */
public enum QuantTarget {
    F32(0, GgmlType.F32),
    F16(1, GgmlType.F16),
    BF16(32, GgmlType.BF16),
    Q8_0(7, GgmlType.Q8_0),
    Q4_0(2, GgmlType.Q4_0),
    Q4_1(3, GgmlType.Q4_1),
    Q5_0(8, GgmlType.Q5_0),
    Q5_1(9, GgmlType.Q5_1),
    IQ4_NL(25, GgmlType.IQ4_NL),
    Q2_K(10, GgmlType.Q2_K),
    Q3_K_S(11, GgmlType.Q3_K),
    Q3_K_M(12, GgmlType.Q3_K),
    Q4_K_S(14, GgmlType.Q4_K),
    Q4_K_M(15, GgmlType.Q4_K),
    Q5_K_S(16, GgmlType.Q5_K),
    Q5_K_M(17, GgmlType.Q5_K),
    Q6_K(18, GgmlType.Q6_K);

    private final int fileType;
    private final GgmlType baseType;

    QuantTarget(int fileType, GgmlType baseType) {
        this.fileType = fileType;
        this.baseType = baseType;
    }

    /** The {@code general.file_type} value llama.cpp writes for this target. */
    public int fileType() {
        return fileType;
    }

    /** The type most tensors get. */
    public GgmlType baseType() {
        return baseType;
    }

    /**
     * Parses a target name, ignoring case. Accepts every constant's name, and {@code Q3_K}, {@code Q4_K},
     * {@code Q5_K} as aliases of the {@code _M} mixes, as {@code llama-quantize} does.
     *
     * @throws IllegalArgumentException naming the supported targets if {@code name} is none of them
     */
    public static QuantTarget parse(String name) {
        String n = name.strip().toUpperCase(Locale.ROOT);
        switch (n) {
            case "Q3_K" -> {
                return Q3_K_M;
            }
            case "Q4_K" -> {
                return Q4_K_M;
            }
            case "Q5_K" -> {
                return Q5_K_M;
            }
            default -> {
                for (QuantTarget t : values()) {
                    if (t.name().equals(n)) {
                        return t;
                    }
                }
                throw new IllegalArgumentException("unknown quantization target '" + name + "'; supported: "
                        + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "))
                        + " (and Q3_K, Q4_K, Q5_K for the _M mixes)");
            }
        }
    }
}
