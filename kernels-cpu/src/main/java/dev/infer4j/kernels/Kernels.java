package dev.infer4j.kernels;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.formats.int4.GroupQuantizedMatrix;

import java.lang.foreign.MemorySegment;
import java.util.Comparator;
import java.util.ServiceLoader;

/**
 * The compute backend: every numeric operation of a transformer forward pass, over buffers the backend owns.
 *
 * <p>Activations are row-major matrices with one row per token, held in {@link ActivationBuffer}s; weights are
 * {@link Weight} handles over the model file's tensors; K/V live in paged {@link KvStorage}. Operations run in
 * call order on the caller's thread (a backend may fan work out to its own workers, but returns only when the
 * result is visible to the next call). Every operation is deterministic and treats rows independently, so a
 * token's result does not depend on what else is in the batch.
 *
 * <p>Numerics follow ggml's CPU backend where that matters for matching llama.cpp: activations are rounded the
 * way ggml rounds them before a product with half-precision or quantized weights, norms accumulate in double, and
 * attention rounds Q and the probabilities to half when the cache holds halves.
 *
 * <p>A {@code Kernels} instance is used by one thread at a time (the engine's step loop).
 */
public interface Kernels extends AutoCloseable {

    /**
     * The available backend with the highest priority.
     *
     * @param threads worker threads for a CPU backend, or 0 for one per available core
     * @throws IllegalStateException if no backend is available
     */
    static Kernels load(int threads) {
        return ServiceLoader.load(KernelsProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(KernelsProvider::isAvailable)
                .max(Comparator.comparingInt(KernelsProvider::priority))
                .orElseThrow(() -> new IllegalStateException("no compute backend found: is infer4j-kernels-cpu on the class path?"))
                .open(threads);
    }

    /**
     * The available backend called {@code name} ({@code "cpu"}, ...).
     *
     * @throws IllegalArgumentException if there is no such backend or it cannot run here
     */
    static Kernels load(String name, int threads) {
        return ServiceLoader.load(KernelsProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals(name) && p.isAvailable())
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("compute backend '" + name + "' is not available"))
                .open(threads);
    }

    /** The backend's short name. */
    String name();

    // ---- resources -------------------------------------------------------------------------------------

    /** Whether {@link #matmul} accepts weights of this type. */
    boolean canMultiply(GgmlType type);

    /** Whether {@link #embed} accepts an embedding table of this type. */
    boolean canEmbed(GgmlType type);

    /**
     * Wraps a tensor's bytes as a weight. The CPU backend reads them in place, so the segment must stay mapped
     * while the weight is used.
     *
     * @param name a name for error messages
     * @param type element type of {@code data}
     * @param data {@code rows} rows of {@code cols} values, row after row
     * @throws IllegalArgumentException if the data does not have the size that shape and type require
     */
    Weight weight(String name, GgmlType type, MemorySegment data, int rows, int cols);

    /** Whether {@link #weight(GroupQuantizedMatrix)} accepts this matrix's layout and bit width. */
    default boolean canMultiply(GroupQuantizedMatrix matrix) {
        return false;
    }

    /**
     * Wraps a group-quantized matrix (GPTQ, AWQ) as a weight for {@link #matmul}, read where it lies like
     * {@link #weight(String, GgmlType, MemorySegment, int, int)}. Backends without such kernels keep this default.
     *
     * @throws IllegalArgumentException if this backend has no kernel for the matrix's layout and bit width
     */
    default Weight weight(GroupQuantizedMatrix matrix) {
        throw new IllegalArgumentException("the " + name() + " backend has no matmul kernel for " + matrix.bits()
                + "-bit " + matrix.layout() + " weights (" + matrix.name() + ")");
    }

    /** A zeroed activation buffer of {@code floats} values. */
    ActivationBuffer allocate(int floats);

    /** Zeroed K/V storage for one layer. */
    KvStorage allocateKv(KvLayout layout);

    // ---- data movement ---------------------------------------------------------------------------------

    /** Copies {@code count} floats from the heap into a buffer. */
    void upload(float[] src, int srcOffset, ActivationBuffer dst, int dstOffset, int count);

    /** Copies {@code count} floats from a buffer to the heap. */
    void download(ActivationBuffer src, int srcOffset, float[] dst, int dstOffset, int count);

    /** Sets the first {@code count} values of {@code x} to {@code value}. */
    void fill(ActivationBuffer x, float value, int count);

    /** {@code dst[i] = src[rows[i]]} for {@code count} rows of {@code width} values. */
    void gatherRows(ActivationBuffer src, int[] rows, int count, int width, ActivationBuffer dst);

    /** {@code dst[rows[i]] += scales[i] * src[i]} for {@code count} rows of {@code width} values, in order of i. */
    void scatterAddRows(ActivationBuffer src, int[] rows, float[] scales, int count, int width, ActivationBuffer dst);

    // ---- transformer operations ------------------------------------------------------------------------

    /** {@code out[t] = table[tokens[t]]}: dequantized rows of an embedding table, {@code table.cols()} wide. */
    void embed(Weight table, int[] tokens, int count, ActivationBuffer out);

    /**
     * {@code out[t][r] = Σ_c w[r][c] · x[t][c]} for {@code tokens} rows of {@code x} ({@code w.cols()} wide) into
     * rows of {@code out} ({@code w.rows()} wide). Activations are quantized or rounded as ggml does for the
     * weight's type.
     */
    void matmul(Weight w, ActivationBuffer x, ActivationBuffer out, int tokens);

    /**
     * RMS normalisation of {@code rows} rows of {@code gamma.cols()} values, times {@code gamma}:
     * {@code out = x / sqrt(mean(x²) + eps) * gamma}. {@code out} may be {@code x}. Per-head norms pass
     * {@code rows = tokens * heads}.
     */
    void rmsNorm(ActivationBuffer x, Weight gamma, ActivationBuffer out, int rows, float eps);

    /** Adds the vector {@code bias} ({@code bias.cols()} wide) to each of {@code rows} rows of {@code x}. */
    void addBias(ActivationBuffer x, Weight bias, int rows);

    /** {@code out = a + b} over {@code count} values; {@code out} may be {@code a} or {@code b}. */
    void add(ActivationBuffer a, ActivationBuffer b, ActivationBuffer out, int count);

    /** {@code x *= factor} over {@code count} values. */
    void scale(ActivationBuffer x, float factor, int count);

    /** Soft-capping {@code x = cap · tanh(x / cap)} over {@code count} values (Gemma 2's final logits). */
    void softCap(ActivationBuffer x, float cap, int count);

    /** Softmax of each of {@code rows} rows of {@code width} values, in place. */
    void softmax(ActivationBuffer x, int rows, int width);

    /**
     * Rotates each of {@code heads} heads of {@code headLength} values in each of {@code tokens} rows of
     * {@code x} (a row is {@code heads * headLength} wide) by its token's position, in place.
     */
    void rope(ActivationBuffer x, int tokens, int heads, int headLength, int[] positions, Rope rope);

    /**
     * Stores each token's K and V rows ({@code kvHeads * keyLength} and {@code kvHeads * valueLength} wide) in its
     * cache slot, rounding to the storage type.
     */
    void storeKv(KvStorage kv, ActivationBuffer k, ActivationBuffer v, KvBatch batch);

    /**
     * Attention of every token's query heads ({@code queryHeads * keyLength} wide rows of {@code q}) over the keys
     * and values its sequence has in {@code kv} up to and including its own position (already stored with
     * {@link #storeKv}), written as {@code queryHeads * valueLength} wide rows of {@code out}.
     */
    void attention(ActivationBuffer q, KvStorage kv, ActivationBuffer out, KvBatch batch, Attention attention);

    /** SwiGLU: {@code out = silu(gate) · up} over {@code count} values. */
    void swiglu(ActivationBuffer gate, ActivationBuffer up, ActivationBuffer out, int count);

    /** GeGLU: {@code out = gelu_tanh(gate) · up} over {@code count} values, with ggml's half-precision GELU table. */
    void geglu(ActivationBuffer gate, ActivationBuffer up, ActivationBuffer out, int count);

    /** {@code x[r] *= sigmoid(gate[r])} for {@code rows} rows of {@code width} values; {@code gate} holds one value per row. */
    void sigmoidGate(ActivationBuffer gate, ActivationBuffer x, int rows, int width);

    /**
     * The {@code k} largest values of each of {@code rows} rows of {@code width} values, largest first (lowest
     * index first among equals), written to the heap arrays at {@code row * k}. This is the expert-routing read
     * back: the host decides which experts run.
     */
    void topK(ActivationBuffer x, int rows, int width, int k, int[] ids, float[] values);

    /** Releases what the backend holds (worker threads, device memory). */
    @Override
    void close();
}
