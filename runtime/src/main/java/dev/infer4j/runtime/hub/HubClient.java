package dev.infer4j.runtime.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Downloads a GGUF model from a Hugging Face-style hub into a local cache.
 *
 * <p>The repository's file list comes from {@code GET {hub}/api/models/{repo}}; the file from
 * {@code {hub}/{repo}/resolve/main/{file}}, first asked with HEAD and no redirect so the hub's
 * {@code X-Linked-Etag} (the SHA-256 of an LFS file) and {@code X-Linked-Size} are seen before the download is
 * redirected to storage. A partial download is kept as {@code NAME.part} and resumed with a Range request; the
 * finished file is hashed and compared with the ETag before it is moved into place, so a cached file is always
 * complete and verified, and later runs need no network.
 */
public final class HubClient {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern SHARD = Pattern.compile("(?i).*-\\d{5}-of-\\d{5}\\.gguf");
    private static final String[] DEFAULT_QUANTS = {"Q4_K_M", "Q4_0", "Q8_0"};

    private final URI hub;
    private final Path cacheRoot;
    private final String token;
    private final DownloadProgress progress;
    private final HttpClient http;

    /**
     * @param hub       the hub's root, e.g. {@code https://huggingface.co}
     * @param cacheRoot where models are kept ({@code OWNER--REPO/FILE})
     * @param token     a bearer token for private repositories, or null
     * @param progress  told how downloads advance
     */
    public HubClient(URI hub, Path cacheRoot, String token, DownloadProgress progress) {
        this.hub = URI.create(hub.toString().replaceAll("/+$", ""));
        this.cacheRoot = cacheRoot;
        this.token = token;
        this.progress = progress;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /**
     * A client configured like the Hugging Face tools: {@code HF_ENDPOINT} (default {@code https://huggingface.co}),
     * {@code HF_TOKEN}, and the cache in {@code INFER4J_CACHE}, else {@code $XDG_CACHE_HOME/infer4j/hub}, else
     * {@code ~/.cache/infer4j/hub}.
     */
    public static HubClient fromEnvironment(DownloadProgress progress) {
        String endpoint = System.getenv().getOrDefault("HF_ENDPOINT", "https://huggingface.co");
        String cache = System.getenv("INFER4J_CACHE");
        Path root;
        if (cache != null) {
            root = Path.of(cache);
        } else if (System.getenv("XDG_CACHE_HOME") != null) {
            root = Path.of(System.getenv("XDG_CACHE_HOME"), "infer4j", "hub");
        } else {
            root = Path.of(System.getProperty("user.home"), ".cache", "infer4j", "hub");
        }
        return new HubClient(URI.create(endpoint), root, System.getenv("HF_TOKEN"), progress);
    }

    /** Returns the cached model file, downloading it first if it is not complete in the cache. */
    public Path fetch(HubModelRef ref) throws HubException, IOException, InterruptedException {
        Path folder = cacheRoot.resolve(ref.cacheFolder());
        Optional<Path> cached = cachedMatch(folder, ref);
        if (cached.isPresent()) {
            return cached.get();
        }
        String file = chooseFile(listFiles(ref), ref);
        Files.createDirectories(folder);
        Path target = folder.resolve(file);
        download(ref, file, target);
        return target;
    }

    private Optional<Path> cachedMatch(Path folder, HubModelRef ref) throws IOException {
        if (!Files.isDirectory(folder)) {
            return Optional.empty();
        }
        List<String> names = new ArrayList<>();
        try (var files = Files.list(folder)) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.toLowerCase(Locale.ROOT).endsWith(".gguf"))
                    .forEach(names::add);
        }
        try {
            return names.isEmpty() ? Optional.empty() : Optional.of(folder.resolve(chooseFile(names, ref)));
        } catch (HubException notCached) {
            return Optional.empty();
        }
    }

    List<String> listFiles(HubModelRef ref) throws HubException, IOException, InterruptedException {
        HttpResponse<String> response = http.send(request(URI.create(hub + "/api/models/" + ref.repo())).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 401 || response.statusCode() == 403 || response.statusCode() == 404) {
            throw new HubException("repository " + ref.repo() + " not found on " + hub + " (HTTP "
                    + response.statusCode() + "); if it is private or gated, set HF_TOKEN");
        }
        if (response.statusCode() != 200) {
            throw new HubException("listing " + ref.repo() + " failed: HTTP " + response.statusCode());
        }
        JsonNode siblings = new ObjectMapper().readTree(response.body()).path("siblings");
        List<String> files = new ArrayList<>();
        for (JsonNode s : siblings) {
            files.add(s.path("rfilename").asText());
        }
        return files;
    }

    /** Picks the GGUF file for the quant asked for (or a sensible default) among a repository's files. */
    static String chooseFile(List<String> files, HubModelRef ref) throws HubException {
        List<String> ggufs = files.stream()
                .filter(f -> f.toLowerCase(Locale.ROOT).endsWith(".gguf") && !f.contains("/"))
                .filter(f -> !f.toLowerCase(Locale.ROOT).contains("mmproj"))
                .sorted().toList();
        if (ggufs.isEmpty()) {
            throw new HubException(ref.repo() + " has no GGUF file at its top level");
        }
        List<String> wanted = ref.quant().map(List::of).orElse(List.of(DEFAULT_QUANTS));
        for (String quant : wanted) {
            Pattern tag = Pattern.compile("(?i).*[-._]" + Pattern.quote(quant) + "([-._].*)?\\.gguf");
            for (String f : ggufs) {
                if (tag.matcher(f).matches()) {
                    return refuseShards(f);
                }
            }
        }
        if (ref.quant().isPresent()) {
            throw new HubException(ref.repo() + " has no GGUF file for quant " + ref.quant().get()
                    + "; it has: " + String.join(", ", ggufs));
        }
        return refuseShards(ggufs.getFirst());
    }

    private static String refuseShards(String file) throws HubException {
        if (SHARD.matcher(file).matches()) {
            throw new HubException(file + " is one shard of a split GGUF, which infer4j does not load yet; "
                    + "merge the shards with llama.cpp's llama-gguf-split --merge");
        }
        return file;
    }

    private void download(HubModelRef ref, String file, Path target)
            throws HubException, IOException, InterruptedException {
        URI url = URI.create(hub + "/" + ref.repo() + "/resolve/main/" + file);
        HttpClient noRedirect = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
                .followRedirects(HttpClient.Redirect.NEVER).build();
        HttpResponse<Void> head = noRedirect.send(request(url).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.discarding());
        noRedirect.close();
        if (head.statusCode() >= 400) {
            throw new HubException("cannot fetch " + file + " from " + ref.repo() + ": HTTP " + head.statusCode());
        }
        String expectedSha = etagSha256(head).orElse(null);
        long expectedSize = head.headers().firstValueAsLong("x-linked-size")
                .orElse(head.statusCode() == 200 ? head.headers().firstValueAsLong("content-length").orElse(-1) : -1);

        Path part = target.resolveSibling(file + ".part");
        long have = Files.exists(part) ? Files.size(part) : 0;
        if (expectedSize >= 0 && have > expectedSize) {
            Files.delete(part);
            have = 0;
        }
        if (expectedSize < 0 || have < expectedSize) {
            have = transfer(url, file, part, have, expectedSize);
        }
        if (expectedSize >= 0 && have != expectedSize) {
            throw new HubException(file + ": got " + have + " bytes, the hub announced " + expectedSize
                    + "; run again to resume");
        }
        if (expectedSha != null) {
            String actual = sha256(part);
            if (!actual.equals(expectedSha)) {
                Files.delete(part);
                throw new HubException(file + ": SHA-256 " + actual + " does not match the hub's " + expectedSha
                        + "; the partial file was deleted, run again to download it afresh");
            }
        }
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        progress.finished(file, have);
    }

    private long transfer(URI url, String file, Path part, long have, long expectedSize)
            throws HubException, IOException, InterruptedException {
        HttpRequest.Builder get = request(url).GET();
        if (have > 0) {
            get.header("Range", "bytes=" + have + "-");
        }
        HttpResponse<InputStream> response = http.send(get.build(), HttpResponse.BodyHandlers.ofInputStream());
        boolean append = response.statusCode() == 206 && have > 0;
        if (response.statusCode() != 200 && !append) {
            response.body().close();
            throw new HubException("downloading " + file + " failed: HTTP " + response.statusCode());
        }
        long done = append ? have : 0;
        StandardOpenOption mode = append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
        try (InputStream in = response.body();
             OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode)) {
            byte[] buffer = new byte[1 << 16];
            long lastReport = 0;
            int n;
            while ((n = in.read(buffer)) > 0) {
                out.write(buffer, 0, n);
                done += n;
                long now = System.nanoTime();
                if (now - lastReport > 100_000_000L) {
                    progress.update(file, done, expectedSize);
                    lastReport = now;
                }
            }
        } catch (IOException e) {
            throw new HubException(file + ": download interrupted after " + done + " bytes (" + e.getMessage()
                    + "); run again to resume", e);
        }
        progress.update(file, done, expectedSize);
        return done;
    }

    private HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(30))
                .header("User-Agent", "infer4j");
        if (token != null && !token.isBlank()) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private static Optional<String> etagSha256(HttpResponse<?> head) {
        for (String name : new String[] {"x-linked-etag", "etag"}) {
            Optional<String> v = head.headers().firstValue(name)
                    .map(s -> s.replaceFirst("^W/", "").replace("\"", "").toLowerCase(Locale.ROOT));
            if (v.isPresent() && SHA256.matcher(v.get()).matches()) {
                return v;
            }
        }
        return Optional.empty();
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
