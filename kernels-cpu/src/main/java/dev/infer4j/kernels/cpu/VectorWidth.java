package dev.infer4j.kernels.cpu;

import jdk.incubator.vector.FloatVector;

/**
 * The register width the vector kernels are written for. Each matmul kernel exists in a 512-bit form (sixteen
 * lanes of 32 bits, for AVX-512 CPUs) and a 256-bit form (eight lanes, for AVX2 CPUs); both give the same
 * results bit for bit, so a model answers the same on either machine.
 *
 * <p>Why both: the Vector API compiles a vector wider than the CPU's registers into its portable Java
 * fallback, which boxes every vector and runs a hundred times slower. A 512-bit kernel on an AVX2 CPU made a
 * 2048×2048 Q4_0 product take 24–32 ms instead of a fraction of one.
 */
public enum VectorWidth {
    /** 256-bit registers: AVX2. */
    W256(256),
    /** 512-bit registers: AVX-512. */
    W512(512);

    /**
     * System property that overrides {@link #detected()}: {@code 256} or {@code 512}. For tests and benchmarks
     * that compare the two forms on one machine.
     */
    public static final String PROPERTY = "infer4j.vectorBits";

    private final int bits;

    VectorWidth(int bits) {
        this.bits = bits;
    }

    /** Register width in bits. */
    public int bits() {
        return bits;
    }

    /**
     * The width this JVM's kernels use: {@value #PROPERTY} if set, else 512 when the CPU's preferred vector
     * (what C2 compiles to registers) is at least 512 bits, else 256. Read when kernels are made, not in a static
     * initializer, so that a bad property value is a plain error naming it.
     *
     * @throws IllegalArgumentException if {@value #PROPERTY} is set to anything but 256 or 512
     */
    public static VectorWidth detected() {
        return detect(System.getProperty(PROPERTY), FloatVector.SPECIES_PREFERRED.vectorBitSize());
    }

    /**
     * The width for a property value (may be null) on a CPU whose preferred vector has {@code preferredBits}.
     *
     * @throws IllegalArgumentException if the property is set to anything but 256 or 512
     */
    static VectorWidth detect(String property, int preferredBits) {
        if (property != null && !property.isBlank()) {
            return switch (property.strip()) {
                case "256" -> W256;
                case "512" -> W512;
                default -> throw new IllegalArgumentException(PROPERTY + " must be 256 or 512, got '" + property + "'");
            };
        }
        return preferredBits >= 512 ? W512 : W256;
    }
}
