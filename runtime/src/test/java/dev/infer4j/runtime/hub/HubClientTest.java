package dev.infer4j.runtime.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Downloads from a loopback server that imitates the hub's listing, resolve, redirect and storage URLs. */
class HubClientTest {
    private static final String REPO = "acme/tiny-GGUF";
    private static final String FILE = "tiny-Q4_K_M.gguf";

    @TempDir
    Path cache;

    private HttpServer server;
    private URI hub;
    private final byte[] payload = new byte[300_000];
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile String advertisedSha;
    private volatile int dropAfterBytes = -1;

    @BeforeEach
    void startHub() throws Exception {
        new SplittableRandom(5).nextBytes(payload);
        advertisedSha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
        hub = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stopHub() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String range = ex.getRequestHeaders().getFirst("Range");
            requests.add(ex.getRequestMethod() + " " + path + (range == null ? "" : " " + range));
            if (path.equals("/api/models/" + REPO)) {
                byte[] body = ("{\"id\":\"" + REPO + "\",\"siblings\":[{\"rfilename\":\"README.md\"},"
                        + "{\"rfilename\":\"tiny-Q8_0.gguf\"},{\"rfilename\":\"" + FILE + "\"},"
                        + "{\"rfilename\":\"mmproj-tiny-f16.gguf\"}]}").getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            } else if (path.equals("/" + REPO + "/resolve/main/" + FILE)) {
                ex.getResponseHeaders().add("X-Linked-Etag", "\"" + advertisedSha + "\"");
                ex.getResponseHeaders().add("X-Linked-Size", String.valueOf(payload.length));
                ex.getResponseHeaders().add("Location", "/storage/blob-1");
                ex.sendResponseHeaders(302, -1);
            } else if (path.equals("/storage/blob-1")) {
                serveBlob(ex, range);
            } else {
                ex.sendResponseHeaders(404, -1);
            }
        }
    }

    private void serveBlob(HttpExchange ex, String range) throws IOException {
        int from = range == null ? 0 : Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1"));
        int length = payload.length - from;
        if (range != null) {
            ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (payload.length - 1) + "/" + payload.length);
        }
        ex.sendResponseHeaders(range == null ? 200 : 206, length);
        int send = dropAfterBytes >= 0 ? Math.min(dropAfterBytes, length) : length;
        ex.getResponseBody().write(payload, from, send);
        ex.getResponseBody().flush();
        if (send < length) {
            // Closing a fixed-length response early drops the connection, as a broken download would.
            dropAfterBytes = -1;
        }
    }

    private HubClient client() {
        return new HubClient(hub, cache, null, DownloadProgress.silent());
    }

    @Test
    void downloadsTheRequestedQuantVerifiesItAndReusesTheCache() throws Exception {
        Path file = client().fetch(HubModelRef.parse(REPO + ":Q4_K_M"));
        assertEquals(cache.resolve("acme--tiny-GGUF").resolve(FILE), file);
        assertArrayEquals(payload, Files.readAllBytes(file));
        int before = requests.size();
        assertEquals(file, client().fetch(HubModelRef.parse(REPO + ":q4_k_m")));
        assertEquals(before, requests.size(), "a cached, verified file needs no network: " + requests);
    }

    @Test
    void anInterruptedDownloadResumesWithARangeRequest() throws Exception {
        dropAfterBytes = 100_000;
        HubException broken = assertThrows(HubException.class, () -> client().fetch(HubModelRef.parse(REPO)));
        assertTrue(broken.getMessage().contains("run again to resume"), broken.getMessage());
        Path part = cache.resolve("acme--tiny-GGUF").resolve(FILE + ".part");
        assertTrue(Files.size(part) > 0 && Files.size(part) < payload.length, "partial file kept");
        long kept = Files.size(part);

        Path file = client().fetch(HubModelRef.parse(REPO));
        assertArrayEquals(payload, Files.readAllBytes(file));
        assertTrue(requests.contains("GET /storage/blob-1 bytes=" + kept + "-"), requests.toString());
        assertFalse(Files.exists(part));
    }

    @Test
    void aChecksumMismatchDeletesThePartialFileAndSaysSo() {
        advertisedSha = "0".repeat(64);
        HubException e = assertThrows(HubException.class, () -> client().fetch(HubModelRef.parse(REPO)));
        assertTrue(e.getMessage().contains("does not match the hub's"), e.getMessage());
        assertFalse(Files.exists(cache.resolve("acme--tiny-GGUF").resolve(FILE + ".part")));
        assertFalse(Files.exists(cache.resolve("acme--tiny-GGUF").resolve(FILE)));
    }

    @Test
    void anUnknownRepositoryOrQuantIsNamedInTheError() {
        HubException repo = assertThrows(HubException.class, () -> client().fetch(HubModelRef.parse("acme/missing")));
        assertTrue(repo.getMessage().contains("acme/missing not found"), repo.getMessage());
        HubException quant = assertThrows(HubException.class, () -> client().fetch(HubModelRef.parse(REPO + ":Q2_K")));
        assertTrue(quant.getMessage().contains("no GGUF file for quant Q2_K") && quant.getMessage().contains(FILE),
                quant.getMessage());
    }

    @Test
    void choosesFilesLikeLlamaCppsHubOption() throws HubException {
        List<String> files = List.of("m-Q8_0.gguf", "m-Q4_K_M.gguf", "m-Q4_K_S.gguf", "mmproj-m-f16.gguf", "sub/x.gguf");
        assertEquals("m-Q4_K_M.gguf", HubClient.chooseFile(files, new HubModelRef("a/b", Optional.empty())));
        assertEquals("m-Q4_K_S.gguf", HubClient.chooseFile(files, new HubModelRef("a/b", Optional.of("Q4_K_S"))));
        assertEquals("m-Q8_0.gguf", HubClient.chooseFile(files, new HubModelRef("a/b", Optional.of("q8_0"))));
        HubException shard = assertThrows(HubException.class, () -> HubClient.chooseFile(
                List.of("big-Q4_0-00001-of-00002.gguf"), new HubModelRef("a/b", Optional.empty())));
        assertTrue(shard.getMessage().contains("split GGUF"), shard.getMessage());
    }

    @Test
    void refusesNamesThatCouldEscapeTheCacheOrTheUrl() {
        for (String bad : new String[] {"../etc/passwd", "a/b/c", "a", "a/..", "a/b:Q4 0", "a/b:../x"}) {
            assertThrows(IllegalArgumentException.class, () -> HubModelRef.parse(bad), bad);
        }
        assertEquals(new HubModelRef("a-b/c.d_e", Optional.of("Q4_K_M")), HubModelRef.parse("a-b/c.d_e:Q4_K_M"));
    }
}
