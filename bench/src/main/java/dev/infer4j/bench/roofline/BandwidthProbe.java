package dev.infer4j.bench.roofline;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.CyclicBarrier;

/**
 * Measures read bandwidth by summing a large off-heap buffer (far bigger than the caches) with the widest
 * vectors, split across threads the way a matmul splits weight rows. The figure is the median of several
 * passes, after warm-up passes that also let the JIT compile the loop.
 */
public final class BandwidthProbe {
    private static final VectorSpecies<Long> LONGS = LongVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_PREFERRED;

    private final long bytes;
    private final int threads;
    private volatile long sink;

    /**
     * @param bytes   buffer size (use at least 512 MiB so caches do not flatter the result)
     * @param threads reader threads (the cores the benchmark uses)
     */
    public BandwidthProbe(long bytes, int threads) {
        if (bytes < (1 << 20) || threads < 1) {
            throw new IllegalArgumentException("probe needs at least 1 MiB and one thread");
        }
        this.bytes = bytes / (threads * (long) BYTES.vectorByteSize() * 4) * (threads * (long) BYTES.vectorByteSize() * 4);
        this.threads = threads;
    }

    /** A probe of 1 GiB on every available core. */
    public static BandwidthProbe standard() {
        return new BandwidthProbe(1L << 30, Runtime.getRuntime().availableProcessors());
    }

    /** Median read bandwidth in GB/s (10^9 bytes per second) over {@code passes} timed passes. */
    public double measureGBps(int warmupPasses, int passes) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buffer = arena.allocate(bytes, 64);
            for (long i = 0; i < bytes; i += 8) {
                buffer.set(ValueLayout.JAVA_LONG_UNALIGNED, i, i * 0x9E3779B97F4A7C15L);
            }
            double[] rates = new double[passes];
            for (int p = 0; p < warmupPasses + passes; p++) {
                double seconds = timedPass(buffer);
                if (p >= warmupPasses) {
                    rates[p - warmupPasses] = bytes / seconds / 1e9;
                }
            }
            Arrays.sort(rates);
            return rates[passes / 2];
        }
    }

    private double timedPass(MemorySegment buffer) {
        long slice = bytes / threads;
        long[] partial = new long[threads];
        CyclicBarrier start = new CyclicBarrier(threads);
        Thread[] workers = new Thread[threads - 1];
        for (int t = 1; t < threads; t++) {
            int id = t;
            workers[t - 1] = Thread.ofPlatform().start(() -> {
                await(start);
                partial[id] = sum(buffer, id * slice, slice);
            });
        }
        await(start);
        long begin = System.nanoTime();
        partial[0] = sum(buffer, 0, slice);
        for (Thread w : workers) {
            join(w);
        }
        long elapsed = System.nanoTime() - begin;
        sink += Arrays.stream(partial).sum();
        return elapsed / 1e9;
    }

    /** Sums 64-bit lanes with four independent accumulators so loads, not the add chain, set the pace. */
    static long sum(MemorySegment buffer, long offset, long length) {
        LongVector a0 = LongVector.zero(LONGS);
        LongVector a1 = a0;
        LongVector a2 = a0;
        LongVector a3 = a0;
        long step = LONGS.vectorByteSize();
        long end = offset + length;
        for (long i = offset; i < end; i += 4 * step) {
            a0 = a0.add(LongVector.fromMemorySegment(LONGS, buffer, i, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(LongVector.fromMemorySegment(LONGS, buffer, i + step, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(LongVector.fromMemorySegment(LONGS, buffer, i + 2 * step, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(LongVector.fromMemorySegment(LONGS, buffer, i + 3 * step, ByteOrder.LITTLE_ENDIAN));
        }
        return a0.add(a1).add(a2).add(a3).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException("bandwidth probe thread interrupted", e);
        }
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Prints the probe's figure: {@code java ... BandwidthProbe [MiB] [threads]}. */
    public static void main(String[] args) {
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 1024;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        double gbps = new BandwidthProbe(mib << 20, threads).measureGBps(3, 7);
        System.out.printf("read bandwidth: %.1f GB/s (%d MiB, %d threads)%n", gbps, mib, threads);
    }
}
