package dev.infer4j.runtime.hub;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A model named as on the command line: {@code OWNER/REPO} or {@code OWNER/REPO:QUANT} (e.g.
 * {@code bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M}), as llama.cpp's {@code -hf} takes it.
 *
 * @param repo  {@code OWNER/REPO}
 * @param quant the quant tag to pick among the repository's GGUF files, if given
 */
public record HubModelRef(String repo, Optional<String> quant) {
    private static final Pattern REPO = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern QUANT = Pattern.compile("[A-Za-z0-9_.-]+");

    /** Parses {@code OWNER/REPO[:QUANT]}, refusing anything that could escape a URL path or the cache folder. */
    public static HubModelRef parse(String spec) {
        int colon = spec.indexOf(':');
        String repo = colon < 0 ? spec : spec.substring(0, colon);
        String quant = colon < 0 ? null : spec.substring(colon + 1);
        if (!REPO.matcher(repo).matches() || repo.contains("..")) {
            throw new IllegalArgumentException("not a hub repository name (OWNER/REPO[:QUANT]): " + spec);
        }
        if (quant != null && !QUANT.matcher(quant).matches()) {
            throw new IllegalArgumentException("not a quant tag: '" + quant + "' in " + spec);
        }
        return new HubModelRef(repo, Optional.ofNullable(quant));
    }

    /** The cache folder name for this repository. */
    String cacheFolder() {
        return repo.replace("/", "--");
    }
}
