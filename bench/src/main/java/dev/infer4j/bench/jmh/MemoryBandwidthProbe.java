package dev.infer4j.bench.jmh;

import dev.infer4j.kernels.cpu.parallel.RangeTask;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The ceiling for a memory-bound kernel: a plain streaming read of a 256 MiB off-heap segment with 512-bit
 * vector loads, split over all cores by the same {@link WorkerPool} the matmuls use.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0"})
public class MemoryBandwidthProbe {

    private static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
    private static final long SIZE = 256L << 20;
    /** Bytes per parallel task. */
    private static final long CHUNK = 1L << 20;

    private WorkerPool pool;
    private Arena arena;
    private MemorySegment data;
    private final int[] sinks = new int[64];
    private final RangeTask read = this::readChunks;

    /** Allocates and touches the buffer. */
    @Setup(Level.Trial)
    public void setUp() {
        pool = WorkerPool.ofAvailableCores();
        arena = Arena.ofShared();
        data = arena.allocate(SIZE, 64);
        for (long i = 0; i < SIZE; i += 4096) {
            data.set(java.lang.foreign.ValueLayout.JAVA_INT, i, (int) i);
        }
    }

    /** Frees the buffer and the pool. */
    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
        pool.close();
    }

    /** Reads the whole buffer once. */
    @Benchmark
    public int streamRead(WeightBytes counter) {
        pool.parallelFor((int) (SIZE / CHUNK), read);
        counter.bytes += SIZE;
        return sinks[0] + sinks[16];
    }

    private void readChunks(int start, int end, int worker) {
        IntVector a0 = IntVector.zero(I);
        IntVector a1 = IntVector.zero(I);
        IntVector a2 = IntVector.zero(I);
        IntVector a3 = IntVector.zero(I);
        for (long o = start * CHUNK, limit = end * CHUNK; o < limit; o += 256) {
            a0 = a0.add(IntVector.fromMemorySegment(I, data, o, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(IntVector.fromMemorySegment(I, data, o + 64, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(IntVector.fromMemorySegment(I, data, o + 128, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(IntVector.fromMemorySegment(I, data, o + 192, ByteOrder.LITTLE_ENDIAN));
        }
        sinks[16 * (worker & 3)] += a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
    }
}
