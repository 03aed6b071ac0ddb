package dev.infer4j.kernels.cpu;

import dev.infer4j.kernels.Kernels;
import dev.infer4j.kernels.KernelsProvider;

/** Registers the CPU backend with {@link java.util.ServiceLoader}; it runs everywhere and ranks lowest. */
public final class CpuKernelsProvider implements KernelsProvider {
    /** Called by {@link java.util.ServiceLoader}. */
    public CpuKernelsProvider() {
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public Kernels open(int threads) {
        return new CpuKernels(threads);
    }
}
