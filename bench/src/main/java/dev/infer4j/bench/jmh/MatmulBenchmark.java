package dev.infer4j.bench.jmh;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.matmul.Matmul;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One matmul at TinyLlama-1.1B shapes (2048×2048: attention projections; 5632×2048: FFN gate/up;
 * 32000×2048: the output projection, Q6_K in Q4_0 and Q4_K_M files), over all cores. The weights are copied enough times to exceed the last-level cache and each call reads the next
 * copy, so they stream from memory as in a real forward pass. The {@code bytes} counter is weight bytes per
 * second; compare it with {@link MemoryBandwidthProbe} from the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0"})
public class MatmulBenchmark {

    /** Total weight bytes cycled through: well beyond a 32 MiB L3. */
    private static final long WORKING_SET = 160L << 20;

    /** Every type with a kernel; narrow it with {@code -p type=Q4_0,Q8_0}. */
    @Param({"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "IQ4_NL", "Q2_K", "Q3_K", "Q4_K", "Q5_K",
        "Q6_K"})
    public String type;

    @Param({"2048x2048", "5632x2048", "32000x2048"})
    public String shape;

    /** {@code detected}, {@code 256} or {@code 512}: which of the kernels' two vector widths to time. */
    @Param({"detected"})
    public String width;

    @Param({"1", "32"})
    public int tokens;

    private WorkerPool pool;
    private Arena arena;
    private MemorySegment[] copies;
    private Matmul matmul;
    private int rows;
    private int cols;
    private long matrixBytes;
    private float[] x;
    private float[] out;
    private int next;

    /** Builds the weight copies, activations and kernel. */
    @Setup(Level.Trial)
    public void setUp() {
        GgmlType t = GgmlType.valueOf(type);
        String[] dims = shape.split("x");
        rows = Integer.parseInt(dims[0]);
        cols = Integer.parseInt(dims[1]);
        matrixBytes = t.bytesFor((long) rows * cols);
        pool = WorkerPool.ofAvailableCores();
        arena = Arena.ofShared();
        Random random = new Random(1);
        MemorySegment first = randomWeights(t, matrixBytes, random);
        int count = (int) Math.max(2, (WORKING_SET + matrixBytes - 1) / matrixBytes);
        copies = new MemorySegment[count];
        for (int i = 0; i < count; i++) {
            copies[i] = arena.allocate(matrixBytes, 64);
            copies[i].copyFrom(first);
        }
        x = new float[tokens * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        out = new float[tokens * rows];
        matmul = Matmul.of(t, pool, VectorWidths.parse(width));
    }

    /** Releases the memory and the pool. */
    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
        pool.close();
    }

    /** One product; counts the weight bytes it read. */
    @Benchmark
    public float multiply(WeightBytes counter) {
        MemorySegment w = copies[next];
        next = next + 1 == copies.length ? 0 : next + 1;
        matmul.multiply(w, rows, cols, x, 0, cols, tokens, out, 0, rows);
        counter.bytes += matrixBytes;
        return out[0];
    }

    /** Random payload: float types hold normal values, block types every F16 scale field a small finite one. */
    private MemorySegment randomWeights(GgmlType t, long size, Random random) {
        MemorySegment w = arena.allocate(size, 64);
        byte[] bytes = new byte[(int) size];
        random.nextBytes(bytes);
        w.copyFrom(MemorySegment.ofArray(bytes));
        ValueLayout.OfShort half = ValueLayout.JAVA_SHORT_UNALIGNED;
        if (t == GgmlType.F16) {
            for (long i = 0; i < size; i += 2) {
                w.set(half, i, Float.floatToFloat16((float) random.nextGaussian()));
            }
            return w;
        }
        if (t == GgmlType.BF16) {
            for (long i = 0; i < size; i += 2) {
                w.set(half, i, (short) (Float.floatToRawIntBits((float) random.nextGaussian()) >>> 16));
            }
            return w;
        }
        if (t == GgmlType.F32) {
            for (long i = 0; i < size; i += 4) {
                w.set(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) random.nextGaussian());
            }
            return w;
        }
        int[] fields = switch (t) {
            case Q8_0, Q4_0, Q5_0, IQ4_NL -> new int[] {0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q2_K -> new int[] {80, 82};
            case Q3_K -> new int[] {108};
            case Q6_K -> new int[] {208};
            default -> new int[0];
        };
        for (long b = 0; b < size; b += t.typeSize()) {
            for (int f : fields) {
                w.set(half, b + f, Float.floatToFloat16(0.01f + random.nextFloat() * 0.01f));
            }
        }
        return w;
    }
}
