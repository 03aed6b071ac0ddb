package dev.infer4j.kernels.cpu.int4;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.formats.int4.GroupQuantizedMatrix;
import dev.infer4j.formats.int4.PackedLayout;
import dev.infer4j.kernels.Weight;

import java.lang.foreign.MemorySegment;

/**
 * A GPTQ or AWQ matrix as the CPU backend holds it: the packed words where they lie, plus whether its groups are
 * consecutive runs of columns (every AWQ matrix and GPTQ without act-order), which picks the faster kernel path, and
 * for AWQ its scales in the order of the one-token sweep's sums ({@link AwqSlotScales}).
 *
 * <p>{@link #type()} is {@link GgmlType#I32}, the element type of the packed words; the layout is in
 * {@link #matrix()}.
 *
 * @param matrix            the packed matrix
 * @param consecutiveGroups column {@code c} lies in group {@code c / groupSize}
 * @param awqSlotScales     for AWQ, {@link AwqSlotScales#of}; {@code null} for GPTQ
 */
public record GroupQuantWeight(GroupQuantizedMatrix matrix, boolean consecutiveGroups, MemorySegment awqSlotScales)
        implements Weight {

    /** Wraps {@code matrix}, scanning its {@code g_idx} once (GPTQ) or rearranging its scales (AWQ). */
    public static GroupQuantWeight of(GroupQuantizedMatrix matrix) {
        return new GroupQuantWeight(matrix, matrix.hasConsecutiveGroups(),
                matrix.layout() == PackedLayout.AWQ_GEMM ? AwqSlotScales.of(matrix) : null);
    }

    @Override
    public String name() {
        return matrix.name();
    }

    @Override
    public GgmlType type() {
        return GgmlType.I32;
    }

    @Override
    public int rows() {
        return matrix.rows();
    }

    @Override
    public int cols() {
        return matrix.cols();
    }
}
