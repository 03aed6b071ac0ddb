package dev.infer4j.formats.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infer4j.formats.ModelFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The weights of a Hugging Face model directory: {@code model.safetensors}, or the shards listed by
 * {@code model.safetensors.index.json} ({@code model-00001-of-00003.safetensors}, ...). Every shard is mapped;
 * tensors are looked up by name across them.
 */
public final class SafetensorsCheckpoint implements AutoCloseable {
    /** The index file of a sharded checkpoint. */
    public static final String INDEX = "model.safetensors.index.json";
    /** The single file of an unsharded checkpoint. */
    public static final String SINGLE = "model.safetensors";

    private final Path directory;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsTensor> tensors;

    private SafetensorsCheckpoint(Path directory, List<SafetensorsFile> files) {
        this.directory = directory;
        this.files = List.copyOf(files);
        Map<String, SafetensorsTensor> all = new LinkedHashMap<>();
        for (SafetensorsFile f : files) {
            for (SafetensorsTensor t : f.tensors().values()) {
                if (all.putIfAbsent(t.name(), t) != null) {
                    throw new ModelFormatException(f.path(), -1, "tensor '" + t.name() + "' appears in two shards");
                }
            }
        }
        this.tensors = Collections.unmodifiableMap(all);
    }

    /** Opens the checkpoint in {@code directory}. */
    public static SafetensorsCheckpoint open(Path directory) throws IOException {
        Path index = directory.resolve(INDEX);
        List<Path> shards = Files.exists(index) ? shardsOf(index) : List.of(singleFile(directory));
        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            for (Path shard : shards) {
                opened.add(SafetensorsFile.open(shard));
            }
            SafetensorsCheckpoint checkpoint = new SafetensorsCheckpoint(directory, opened);
            if (Files.exists(index)) {
                checkIndexMatches(index, checkpoint);
            }
            return checkpoint;
        } catch (IOException | RuntimeException e) {
            opened.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static Path singleFile(Path directory) throws IOException {
        Path single = directory.resolve(SINGLE);
        if (Files.exists(single)) {
            return single;
        }
        try (var list = Files.list(directory)) {
            List<Path> found = list.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
            if (found.size() == 1) {
                return found.getFirst();
            }
            throw new ModelFormatException(directory, -1, found.isEmpty()
                    ? "no .safetensors file in the directory"
                    : "several .safetensors files but no " + INDEX + " saying how they fit together: " + found);
        }
    }

    private static Map<String, String> weightMap(Path index) throws IOException {
        JsonNode map = new ObjectMapper().readTree(index.toFile()).path("weight_map");
        if (!map.isObject()) {
            throw new ModelFormatException(index, -1, "no weight_map object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String file = e.getValue().asText("");
            // A shard name is a plain file name beside the index; anything else could reach outside the model.
            if (file.isEmpty() || file.contains("/") || file.contains("\\") || file.equals("..")) {
                throw new ModelFormatException(index, -1, "weight_map entry '" + e.getKey() + "' names '" + file
                        + "', which is not a file beside the index");
            }
            out.put(e.getKey(), file);
        }
        return out;
    }

    private static List<Path> shardsOf(Path index) throws IOException {
        List<Path> shards = new ArrayList<>();
        for (String file : new TreeSet<>(weightMap(index).values())) {
            shards.add(index.resolveSibling(file));
        }
        return shards;
    }

    private static void checkIndexMatches(Path index, SafetensorsCheckpoint checkpoint) throws IOException {
        for (Map.Entry<String, String> e : weightMap(index).entrySet()) {
            SafetensorsTensor t = checkpoint.tensors.get(e.getKey());
            if (t == null) {
                throw new ModelFormatException(index, -1, "the index places '" + e.getKey() + "' in " + e.getValue()
                        + " but no shard holds it");
            }
        }
    }

    /** The model directory. */
    public Path directory() {
        return directory;
    }

    /** Every tensor of every shard. */
    public Map<String, SafetensorsTensor> tensors() {
        return tensors;
    }

    /** The tensor called {@code name}, if present. */
    public Optional<SafetensorsTensor> tensor(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    /** The tensor called {@code name}, or a format error naming it. */
    public SafetensorsTensor require(String name) {
        SafetensorsTensor t = tensors.get(name);
        if (t == null) {
            throw new ModelFormatException(directory, -1, "missing tensor '" + name + "'");
        }
        return t;
    }

    /** Unmaps every shard. */
    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
