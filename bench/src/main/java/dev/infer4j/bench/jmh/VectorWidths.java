package dev.infer4j.bench.jmh;

import dev.infer4j.kernels.cpu.VectorWidth;

/** The {@code width} parameter of the matmul benchmarks: {@code detected}, {@code 256} or {@code 512}. */
final class VectorWidths {

    private VectorWidths() {
    }

    /**
     * The width a benchmark parameter names; {@code detected} is this JVM's choice. Timing the other width on an
     * AVX-512 machine shows what the 256-bit kernels cost there (on an AVX2 machine, 512 is the slow fallback).
     */
    static VectorWidth parse(String width) {
        return switch (width) {
            case "detected" -> VectorWidth.detected();
            case "256" -> VectorWidth.W256;
            case "512" -> VectorWidth.W512;
            default -> throw new IllegalArgumentException("width must be detected, 256 or 512, got " + width);
        };
    }
}
