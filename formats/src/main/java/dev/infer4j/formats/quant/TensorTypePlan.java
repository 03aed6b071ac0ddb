package dev.infer4j.formats.quant;

import dev.infer4j.formats.gguf.GgmlType;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The type each tensor of a model gets when it is quantized to a {@link QuantTarget}, by llama.cpp's rules
 * ({@code llama_tensor_get_type} of the build that wrote the reference files, b4748):
 *
 * <ul>
 *   <li>Only weights of two or more dimensions are quantized; norms, MoE routers ({@code ffn_gate_inp}) and a
 *       few architecture-specific small tensors keep their type.</li>
 *   <li>{@code output.weight} (or {@code token_embd.weight} when the embeddings are tied) becomes Q6_K unless
 *       the target is Q8_0 (Q8_0 if its rows do not fit the base type's blocks).</li>
 *   <li>Mixes raise chosen tensors: {@code attn_v} and {@code ffn_down} to Q6_K on the layers
 *       {@link #useMoreBits} picks for Q4_K_M / Q5_K_M; Q3_K_M, Q4_K_S, Q2_K and IQ4_NL have their own rules.
 *       The 70B-specific and Falcon-specific rules of llama.cpp are not reproduced.</li>
 *   <li>A row length that is not a multiple of the chosen block size falls back: Q2_K and Q3_K to IQ4_NL, Q4_K to
 *       Q5_0, Q5_K to Q5_1, Q6_K to Q8_0, the 32-value types to F16, and to F16 if the fallback still does not
 *       fit (what llama.cpp did for the stories260K files).</li>
 * </ul>
 *
 * With {@code pure} (llama-quantize's {@code --pure}) every quantizable tensor gets the base type, fallbacks
 * aside. Tensors are listed in llama.cpp's order: by layer (non-layer tensors first), then by name.
 */
public final class TensorTypePlan {

    /** What the rules need to know about the model. */
    public record ModelFacts(int layerCount, int headCount, int headCountKv, int expertCount) {
        int gqa() {
            return headCountKv > 0 ? headCount / headCountKv : 0;
        }
    }

    /** One tensor of the input: its name, shape (innermost first) and current type. */
    public record TensorSpec(String name, long[] shape, GgmlType type) {
        /** Copies the shape. */
        public TensorSpec {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        long cols() {
            return shape[0];
        }

        /** ggml_n_dims: the rank without trailing dimensions of size one. */
        int significantDims() {
            int n = shape.length;
            while (n > 1 && shape[n - 1] == 1) {
                n--;
            }
            return n;
        }
    }

    private final List<TensorSpec> order;
    private final Map<String, GgmlType> types;

    private TensorTypePlan(List<TensorSpec> order, Map<String, GgmlType> types) {
        this.order = order;
        this.types = types;
    }

    /** Decides every tensor's type. */
    public static TensorTypePlan of(QuantTarget target, boolean pure, ModelFacts facts, List<TensorSpec> tensors) {
        List<TensorSpec> order = new ArrayList<>(tensors);
        order.sort(Comparator.comparingInt((TensorSpec t) -> layerOf(t.name())).thenComparing(TensorSpec::name));
        boolean hasOutput = tensors.stream().anyMatch(t -> t.name().equals("output.weight"));
        int attnVCount = (int) tensors.stream().filter(t -> t.name().contains("attn_v.weight")
                || t.name().contains("attn_qkv.weight") || t.name().contains("attn_kv_b.weight")).count();
        Map<String, GgmlType> types = new LinkedHashMap<>();
        int attnV = 0;
        int ffnDown = 0;
        for (TensorSpec t : order) {
            GgmlType type;
            if (!quantizable(t)) {
                type = t.type();
            } else {
                type = target.baseType();
                if (type.isQuantized()) {
                    if (!pure) {
                        String name = t.name();
                        if (name.equals("output.weight") || (!hasOutput && name.equals("token_embd.weight"))) {
                            type = t.cols() % type.blockSize() != 0 ? GgmlType.Q8_0
                                    : type != GgmlType.Q8_0 ? GgmlType.Q6_K : type;
                        } else if (name.contains("attn_v.weight")) {
                            type = attnV(target, type, facts, attnV++, attnVCount);
                        } else if (name.contains("attn_k.weight")) {
                            type = facts.expertCount() == 8 ? GgmlType.Q8_0 : type;
                        } else if (name.contains("ffn_down")) {
                            int layer = facts.expertCount() > 1 ? layerOf(name) : ffnDown;
                            ffnDown++;
                            type = ffnDown(target, type, layer, facts.layerCount());
                        } else if (name.contains("attn_output.weight")) {
                            type = attnOutput(target, type, facts);
                        } else if (name.contains("attn_qkv.weight")) {
                            type = switch (target) {
                                case Q3_K_M -> GgmlType.Q4_K;
                                case Q4_K_M -> GgmlType.Q5_K;
                                case Q5_K_M -> GgmlType.Q6_K;
                                default -> type;
                            };
                        }
                    }
                    type = fallback(type, t.cols());
                }
            }
            types.put(t.name(), type);
        }
        return new TensorTypePlan(List.copyOf(order), types);
    }

    /** llama.cpp's choice of layers that get more bits: the first and last eighth, and every third between. */
    public static boolean useMoreBits(int layer, int layers) {
        return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
    }

    private static GgmlType attnV(QuantTarget target, GgmlType type, ModelFacts facts, int i, int n) {
        GgmlType chosen = switch (target) {
            case Q2_K -> facts.gqa() >= 4 ? GgmlType.Q4_K : GgmlType.Q3_K;
            case Q3_K_M -> i < 2 ? GgmlType.Q5_K : GgmlType.Q4_K;
            case IQ4_NL -> facts.gqa() >= 4 ? GgmlType.Q5_K : type;
            case Q4_K_M, Q5_K_M -> useMoreBits(i, n) ? GgmlType.Q6_K : type;
            case Q4_K_S -> i < 4 ? GgmlType.Q5_K : type;
            default -> type;
        };
        return facts.expertCount() == 8 ? GgmlType.Q8_0 : chosen;
    }

    private static GgmlType ffnDown(QuantTarget target, GgmlType type, int layer, int layers) {
        return switch (target) {
            case Q2_K -> GgmlType.Q3_K;
            case Q3_K_M -> layer < layers / 16 ? GgmlType.Q5_K : GgmlType.Q4_K;
            case Q4_K_M, Q5_K_M -> useMoreBits(layer, layers) ? GgmlType.Q6_K : type;
            case IQ4_NL, Q4_K_S -> layer < layers / 8 ? GgmlType.Q5_K : type;
            default -> type;
        };
    }

    private static GgmlType attnOutput(QuantTarget target, GgmlType type, ModelFacts facts) {
        if (facts.expertCount() == 8) {
            return switch (target) {
                case Q2_K, Q3_K_M, IQ4_NL, Q4_K_S, Q4_K_M -> GgmlType.Q5_K;
                default -> type;
            };
        }
        return switch (target) {
            case Q2_K -> GgmlType.Q3_K;
            case Q3_K_M -> GgmlType.Q4_K;
            default -> type;
        };
    }

    /** The type used instead of {@code type} when rows of {@code cols} values do not fill its blocks. */
    static GgmlType fallback(GgmlType type, long cols) {
        if (cols % type.blockSize() == 0) {
            return type;
        }
        GgmlType instead = switch (type) {
            case Q2_K, Q3_K -> GgmlType.IQ4_NL;
            case Q4_K -> GgmlType.Q5_0;
            case Q5_K -> GgmlType.Q5_1;
            case Q6_K -> GgmlType.Q8_0;
            default -> GgmlType.F16;
        };
        return cols % instead.blockSize() == 0 ? instead : GgmlType.F16;
    }

    /** Whether llama-quantize would quantize this tensor at all. */
    static boolean quantizable(TensorSpec t) {
        String name = t.name();
        return name.endsWith("weight")
                && t.significantDims() >= 2
                && !name.contains("_norm.weight")
                && !name.contains("ffn_gate_inp.weight")
                && !name.equals("position_embd.weight")
                && !name.equals("token_types.weight")
                && !name.contains("ssm_conv1d.weight")
                && !name.contains("time_mix_first.weight")
                && !name.contains("attn_rel_b.weight");
    }

    /** The block number of {@code blk.N.*} tensors, -1 for the others (llama.cpp's sort key). */
    static int layerOf(String name) {
        if (!name.startsWith("blk.")) {
            return -1;
        }
        int end = name.indexOf('.', 4);
        try {
            return Integer.parseInt(name.substring(4, end < 0 ? name.length() : end));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The tensors in the order llama.cpp writes them. */
    public List<TensorSpec> order() {
        return order;
    }

    /** The type chosen for the tensor named {@code name}. */
    public GgmlType typeOf(String name) {
        GgmlType t = types.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor named " + name + " in this plan");
        }
        return t;
    }
}
