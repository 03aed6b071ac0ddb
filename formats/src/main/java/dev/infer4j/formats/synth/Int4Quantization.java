package dev.infer4j.formats.synth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.infer4j.formats.int4.PackedLayout;

import java.util.Locale;

/**
 * How a synthetic Hugging Face checkpoint's linear layers are quantized: 4-bit round-to-nearest in AutoGPTQ's v1
 * layout ({@code checkpoint_format: gptq}, no act-order) or AutoAWQ's GEMM layout with zero points.
 *
 * @param layout    GPTQ or AWQ GEMM packing
 * @param groupSize inputs per group: a positive multiple of 8, or -1 for one group per row
 * @param symmetric GPTQ's {@code sym} (AWQ always stores asymmetric zero points, so this must be false for it)
 */
public record Int4Quantization(PackedLayout layout, int groupSize, boolean symmetric) {
    /** Bits per weight. */
    public static final int BITS = 4;

    /** Checks the group size and that AWQ is not asked to be symmetric. */
    public Int4Quantization {
        if (groupSize != -1 && (groupSize <= 0 || groupSize % 8 != 0)) {
            throw new IllegalArgumentException("group size must be a positive multiple of 8 or -1, got " + groupSize);
        }
        if (layout == PackedLayout.AWQ_GEMM && symmetric) {
            throw new IllegalArgumentException("AWQ GEMM always stores zero points; --sym applies to GPTQ only");
        }
    }

    /**
     * Parses a format name ({@code gptq} or {@code awq}, any case).
     *
     * @throws IllegalArgumentException for another name or an invalid combination
     */
    public static Int4Quantization of(String format, int groupSize, boolean symmetric) {
        PackedLayout layout = switch (format.strip().toLowerCase(Locale.ROOT)) {
            case "gptq" -> PackedLayout.GPTQ;
            case "awq" -> PackedLayout.AWQ_GEMM;
            default -> throw new IllegalArgumentException("unknown int4 format '" + format + "'; known: gptq, awq");
        };
        return new Int4Quantization(layout, groupSize, symmetric);
    }

    /** The group size for a matrix of {@code cols} inputs. */
    int groupSizeFor(int cols) {
        return groupSize == -1 ? cols : groupSize;
    }

    /** Fills {@code config.json}'s {@code quantization_config} the way AutoGPTQ or AutoAWQ write it. */
    void describe(ObjectNode q) {
        switch (layout) {
            case GPTQ -> {
                q.put("quant_method", "gptq");
                q.put("bits", BITS);
                q.put("group_size", groupSize);
                q.put("desc_act", false);
                q.put("sym", symmetric);
                q.put("static_groups", false);
                q.put("true_sequential", true);
                q.put("damp_percent", 0.01);
                q.put("checkpoint_format", "gptq");
            }
            case AWQ_GEMM -> {
                q.put("quant_method", "awq");
                q.put("bits", BITS);
                q.put("group_size", groupSize);
                q.put("zero_point", true);
                q.put("version", "gemm");
            }
        }
    }
}
