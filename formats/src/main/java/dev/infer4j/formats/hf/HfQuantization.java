package dev.infer4j.formats.hf;

import dev.infer4j.formats.ModelFormatException;
import dev.infer4j.formats.int4.PackedLayout;

import java.nio.file.Path;
import java.util.Locale;

/**
 * A checkpoint's {@code quantization_config} (or AutoGPTQ's older {@code quantize_config.json}), limited to the
 * variants this project reads in place.
 *
 * @param layout     GPTQ or AWQ GEMM packing
 * @param bits       bits per value (2, 4, 8 for GPTQ; 4 for AWQ)
 * @param groupSize  inputs per group, or -1 for one group spanning the whole input
 * @param symmetric  GPTQ {@code sym} (AWQ: false, it always stores zero points); informative, since both store
 *                   {@code qzeros}
 * @param descAct    GPTQ act-order ({@code desc_act}): {@code g_idx} permutes groups
 * @param zeroOffset added to stored zero points: 1 for GPTQ v1 checkpoints ({@code checkpoint_format: gptq}),
 *                   0 for {@code gptq_v2} and AWQ
 */
public record HfQuantization(PackedLayout layout, int bits, int groupSize, boolean symmetric, boolean descAct,
                             int zeroOffset) {

    /** The group size for a matrix of {@code cols} inputs (a group size of -1 means all of them). */
    public int groupSizeFor(int cols) {
        return groupSize == -1 ? cols : groupSize;
    }

    /**
     * Reads a {@code quantization_config} object.
     *
     * @param defaultMethod the method to assume when {@code quant_method} is absent (AutoGPTQ's
     *                      {@code quantize_config.json} omits it), or null to require it
     * @throws ModelFormatException naming the key and value of an unsupported variant
     */
    static HfQuantization read(HfJson q, String prefix, String defaultMethod) {
        String method = q.stringOr("quant_method", defaultMethod);
        if (method == null) {
            throw new ModelFormatException(q.file(), -1, "'" + prefix + "quant_method' is missing");
        }
        return switch (method.toLowerCase(Locale.ROOT)) {
            case "gptq" -> gptq(q, prefix);
            case "awq" -> awq(q, prefix);
            default -> throw unsupported(q.file(), prefix + "quant_method", method,
                    "supported: gptq, awq" + (method.equalsIgnoreCase("exl2")
                            ? " (ExLlamaV2's EXL2 format packs variable bit widths per layer, which is not read here)" : ""));
        };
    }

    private static HfQuantization gptq(HfJson q, String prefix) {
        int bits = q.requireInt("bits");
        if (bits == 3) {
            throw unsupported(q.file(), prefix + "bits", "3",
                    "3-bit GPTQ values straddle 32-bit words and have no kernel here; supported: 2, 4, 8");
        }
        if (bits != 2 && bits != 4 && bits != 8) {
            throw unsupported(q.file(), prefix + "bits", Integer.toString(bits), "supported: 2, 4, 8");
        }
        if (q.boolOr("is_marlin_format", false)) {
            throw unsupported(q.file(), prefix + "is_marlin_format", "true",
                    "Marlin repacks the weights into tiles; convert the checkpoint back to the GPTQ format");
        }
        String format = q.stringOr("checkpoint_format", "gptq");
        int zeroOffset = switch (format.toLowerCase(Locale.ROOT)) {
            case "gptq" -> 1;
            case "gptq_v2" -> 0;
            default -> throw unsupported(q.file(), prefix + "checkpoint_format", format,
                    "supported: gptq (v1), gptq_v2; Marlin and other repacked formats are not read");
        };
        return new HfQuantization(PackedLayout.GPTQ, bits, groupSize(q, prefix, "group_size"),
                q.boolOr("sym", true), q.boolOr("desc_act", false), zeroOffset);
    }

    private static HfQuantization awq(HfJson q, String prefix) {
        String bitsKey = q.has("bits") ? "bits" : "w_bit";
        int bits = q.requireInt(bitsKey);
        if (bits != 4) {
            throw unsupported(q.file(), prefix + bitsKey, Integer.toString(bits), "AWQ GEMM packs 4-bit values only");
        }
        String version = q.stringOr("version", "gemm");
        if (!version.equalsIgnoreCase("gemm")) {
            throw unsupported(q.file(), prefix + "version", version,
                    "supported: gemm (GEMV, GEMV_fast, Marlin, ExLlama and IPEX layouts are not read)");
        }
        if (!q.boolOr("zero_point", true)) {
            throw unsupported(q.file(), prefix + "zero_point", "false", "AWQ GEMM checkpoints carry zero points");
        }
        String groupKey = q.has("group_size") ? "group_size" : "q_group_size";
        return new HfQuantization(PackedLayout.AWQ_GEMM, 4, groupSize(q, prefix, groupKey), false, false, 0);
    }

    private static int groupSize(HfJson q, String prefix, String key) {
        int g = q.requireInt(key);
        if (g != -1 && g <= 0) {
            throw unsupported(q.file(), prefix + key, Integer.toString(g), "a group size is positive or -1");
        }
        return g;
    }

    private static ModelFormatException unsupported(Path file, String key, String value, String detail) {
        return new ModelFormatException(file, -1, "unsupported quantization: " + key + " = " + value + "; " + detail);
    }
}
