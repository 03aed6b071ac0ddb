package dev.infer4j.bench.jmh;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.formats.int4.AwqPacker;
import dev.infer4j.formats.int4.GptqPacker;
import dev.infer4j.formats.int4.GroupQuantizedMatrix;
import dev.infer4j.formats.int4.PackedMatrix;
import dev.infer4j.formats.quant.Quantize;
import dev.infer4j.kernels.cpu.int4.GroupQuantMatmul;
import dev.infer4j.kernels.cpu.int4.GroupQuantWeight;
import dev.infer4j.kernels.cpu.matmul.Matmul;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
 * Products with 4-bit group-128 GPTQ and AWQ weights against Q4_0, the same random matrix in each format, over all
 * cores, in the shapes of a TinyLlama-1.1B layer (outputs×inputs: attention 2048×2048, K/V 256×2048, FFN gate/up
 * 5632×2048 and down 2048×5632). As in {@link MatmulBenchmark}, enough copies are cycled to stream the weights from
 * memory; {@code bytes} counts the packed bytes read (qweight + qzeros + scales for the group formats).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0"})
public class GroupQuantBenchmark {
    /** Total weight bytes cycled through: well beyond a 32 MiB L3 unless {@code -Dinfer4j.bench.workingSetMiB} says otherwise (a cache-resident run separates memory stalls from arithmetic). */
    private static final long WORKING_SET = Long.getLong("infer4j.bench.workingSetMiB", 160) << 20;

    /** Outputs × inputs. */
    @Param({"2048x2048", "256x2048", "5632x2048", "2048x5632"})
    public String shape;

    @Param({"Q4_0", "GPTQ4_G128", "AWQ4_G128"})
    public String format;

    /** {@code detected}, {@code 256} or {@code 512}: which of the kernels' two vector widths to time. */
    @Param({"detected"})
    public String width;

    @Param({"1", "4", "8", "32"})
    public int tokens;

    private WorkerPool pool;
    private Arena arena;
    private MemorySegment[] q40;
    private GroupQuantWeight[] grouped;
    private Matmul q40Matmul;
    private GroupQuantMatmul groupMatmul;
    private long matrixBytes;
    private float[] x;
    private float[] out;
    private int next;
    private int rows;
    private int cols;

    /** Quantizes one random matrix into the format and copies it. */
    @Setup(Level.Trial)
    public void setUp() {
        String[] dims = shape.split("x");
        rows = Integer.parseInt(dims[0]);
        cols = Integer.parseInt(dims[1]);
        pool = WorkerPool.ofAvailableCores();
        arena = Arena.ofShared();
        Random random = new Random(1);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian() * 0.02f;
        }
        x = new float[tokens * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        out = new float[tokens * rows];
        if (format.equals("Q4_0")) {
            byte[] packed = Quantize.rows(GgmlType.Q4_0, w, 0, rows, cols);
            matrixBytes = packed.length;
            q40 = new MemorySegment[copies()];
            for (int i = 0; i < q40.length; i++) {
                q40[i] = arena.allocate(matrixBytes, 64);
                q40[i].copyFrom(MemorySegment.ofArray(packed));
            }
            q40Matmul = Matmul.of(GgmlType.Q4_0, pool, VectorWidths.parse(width));
        } else {
            PackedMatrix p = format.startsWith("GPTQ") ? GptqPacker.pack(w, rows, cols, 4, 128, false, null, true)
                    : AwqPacker.pack(w, rows, cols, 128);
            matrixBytes = 4L * p.qweight().length + 4L * p.qzeros().length + 2L * p.scales().length;
            grouped = new GroupQuantWeight[copies()];
            for (int i = 0; i < grouped.length; i++) {
                GroupQuantizedMatrix m = p.toMatrix(format, arena);
                // the benchmark times consecutive groups; g_idx is left out as checkpoints without act-order may
                grouped[i] = GroupQuantWeight.of(new GroupQuantizedMatrix(m.name(), m.layout(), m.bits(), m.rows(),
                        m.cols(), m.groupSize(), m.zeroOffset(), m.qweight(), m.qzeros(), m.scales(), null));
            }
            groupMatmul = new GroupQuantMatmul(pool, VectorWidths.parse(width));
        }
    }

    private int copies() {
        long bytes = (long) rows * cols / 2;
        return (int) Math.max(2, (WORKING_SET + bytes - 1) / bytes);
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
        if (q40 != null) {
            MemorySegment w = q40[next];
            next = next + 1 == q40.length ? 0 : next + 1;
            q40Matmul.multiply(w, rows, cols, x, 0, cols, tokens, out, 0, rows);
        } else {
            GroupQuantWeight w = grouped[next];
            next = next + 1 == grouped.length ? 0 : next + 1;
            groupMatmul.multiply(w, x, 0, cols, tokens, out, 0, rows);
        }
        counter.bytes += matrixBytes;
        return out[0];
    }
}
