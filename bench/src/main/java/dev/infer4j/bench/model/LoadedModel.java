package dev.infer4j.bench.model;

import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.kernels.Kernels;
import dev.infer4j.kernels.cpu.int4.GroupQuantWeight;
import dev.infer4j.runtime.kv.KvCacheSpec;
import dev.infer4j.runtime.model.LayerWeights;
import dev.infer4j.runtime.model.Model;
import dev.infer4j.runtime.model.hf.HfModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The model a benchmark runs, from a GGUF file or a Hugging Face directory (safetensors, GPTQ, AWQ), with what
 * its weights are made of; closing it releases the file mappings.
 */
final class LoadedModel implements AutoCloseable {
    private final Model model;
    private final String weightTypes;
    private final AutoCloseable source;

    private LoadedModel(Model model, String weightTypes, AutoCloseable source) {
        this.model = model;
        this.weightTypes = weightTypes;
        this.source = source;
    }

    /** Loads {@code path}: a directory as a Hugging Face checkpoint, anything else as GGUF. */
    static LoadedModel open(Path path, Kernels kernels, KvCacheSpec kv) throws IOException {
        if (Files.isDirectory(path)) {
            HfModel hf = HfModel.load(path, kernels, kv);
            return new LoadedModel(hf.model(), describe(hf.model()), hf);
        }
        GgufFile file = GgufFile.open(path);
        try {
            Model model = Model.load(file, kernels, kv);
            Map<String, Long> counts = file.tensors().stream()
                    .collect(Collectors.groupingBy(t -> t.type().name(), TreeMap::new, Collectors.counting()));
            return new LoadedModel(model, mostCommonFirst(counts), file);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    Model model() {
        return model;
    }

    /** Weight counts by kind, most common first, e.g. {@code Q4_0 x155, F32 x45, Q6_K x1} or {@code GPTQ 4-bit g128 x154, ...}. */
    String weightTypes() {
        return weightTypes;
    }

    private static String describe(Model model) {
        Stream.Builder<dev.infer4j.kernels.Weight> all = Stream.builder();
        for (LayerWeights l : model.weights().layers()) {
            Stream.of(l.attentionNorm(), l.query(), l.key(), l.value(), l.attentionOutput(), l.ffnNorm(), l.gate(),
                    l.up(), l.down()).forEach(w -> {
                        if (w != null) {
                            all.add(w);
                        }
                    });
        }
        all.add(model.weights().outputNorm());
        all.add(model.weights().output());
        all.add(model.weights().tokenEmbedding());
        Map<String, Long> counts = all.build().collect(Collectors.groupingBy(LoadedModel::kind, TreeMap::new,
                Collectors.counting()));
        return mostCommonFirst(counts);
    }

    private static String kind(dev.infer4j.kernels.Weight w) {
        if (w instanceof GroupQuantWeight g) {
            return g.matrix().layout() + " " + g.matrix().bits() + "-bit g" + g.matrix().groupSize();
        }
        return w.type().name();
    }

    private static String mostCommonFirst(Map<String, Long> counts) {
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(e -> e.getKey() + " x" + e.getValue())
                .collect(Collectors.joining(", "));
    }

    @Override
    public void close() throws IOException {
        try {
            source.close();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }
}
