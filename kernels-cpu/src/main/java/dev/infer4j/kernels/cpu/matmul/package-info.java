/**
 * Matrix products of GGUF weights, read in place from their {@link java.lang.foreign.MemorySegment}, with a
 * batch of float activations: one {@link dev.infer4j.kernels.cpu.matmul.Matmul} per weight type.
 *
 * <p>As llama.cpp does, activations are first brought to the weight type's partner format
 * ({@link dev.infer4j.kernels.cpu.matmul.ActivationFormat}: Q8_0, Q8_1 or Q8_K blocks, or values rounded to
 * F16/BF16) and the dot products are integer block products. The kernels use the JDK Vector API and keep
 * integer block sums in float lanes, where they are exact (every partial sum stays below 2<sup>24</sup>), or,
 * for Q4_0, Q8_0 and the K-quants Q2_K to Q6_K, in 16-bit integer lanes, which cost half as much and are exact by
 * construction (the K-quants widen them to int lanes to apply their sub-block scales). Q4_0 folds four
 * blocks into one vector of sixteen 16-bit lanes ({@code QuadGroups}) so that one conversion and one scale serve
 * four blocks. For eight or more tokens, Q8_0 and Q4_0 decode a task's rows into floats once and run a float tile
 * ({@code DecodedTile}, two rows by four tokens; {@code FoldedTile}, two rows by every token in the folded
 * layout), whose exact float lane sums are the per-token kernels' integers, value for value.
 *
 * <p>What bounds these kernels: the Vector API has no int8 dot-product instruction (llama.cpp's x86 kernels use
 * AVX-512 VNNI, 64 multiply-adds per instruction), so a block product costs three float operations per token
 * (16 multiply-adds each) or six 16-bit integer ones. A Java float FMA loop peaks near 57 G multiply-adds/s per
 * core on the development machine; llama.cpp's Q4_0 prefill of a 1.1B model needs about 94 per core.
 *
 * <p>Why each type has its own, similar-looking kernel class instead of one loop with a per-type hook: a hot loop
 * that passes or returns a vector through a call C2 does not inline boxes that vector on every iteration (Q6_K
 * allocated 12.6 MB per 1024×2048 call that way), and a shared loop with a type hook grows past C2's inlining
 * budget or turns megamorphic. Keep each hot loop monomorphic and self-contained; share only code that handles
 * no vectors (task splitting in {@code BlockMatmul}, fixed-order lane sums over arrays in {@code Lanes}). A
 * consolidation is welcome when a same-run benchmark shows it costs nothing and {@code BatchInvarianceTest}
 * stays green.
 *
 * <p>Every kernel exists twice: for 512-bit registers ({@code Q4_0Matmul}, sixteen float lanes) and for 256-bit
 * ones ({@code Q4_0Matmul256}, eight), picked by {@link dev.infer4j.kernels.cpu.VectorWidth}. A 256-bit twin keeps
 * its 512-bit kernel's sixteen float lanes as two vectors of eight with the same operations in the same order, so
 * both give the same bits ({@code VectorWidthParityTest}); its integer work may be organised differently, since
 * integer sums are exact. AVX2 shapes that work: it has sixteen registers, not thirty-two (tiles walk fewer rows
 * or tokens at a time); lanes 8–15 of a short vector taken with {@code convertShape(..., part 1)}, 16-bit
 * {@code selectFrom} and per-lane 16-bit shifts are emulated slowly or, past C2's node budget, boxed, so the
 * twins read shorts as ints and shift, permute 32-bit lanes, or load twice instead. Neither float tile
 * ({@code DecodedTile}, {@code FoldedTile}) has a 256-bit twin: on Zen 3 the four-token kernels of Q8_0 and Q4_0
 * were faster at every batch size tried, and give the tiles' values anyway.
 *
 * <p>Depends on the JDK, {@code jdk.incubator.vector}, {@code formats} (for {@code GgmlType}) and
 * {@link dev.infer4j.kernels.cpu.parallel}. Knows nothing of models.
 */
package dev.infer4j.kernels.cpu.matmul;
