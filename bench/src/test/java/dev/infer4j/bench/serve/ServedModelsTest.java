package dev.infer4j.bench.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServedModelsTest {
    private HttpServer server;

    private URI serve(int status, String body) throws IOException {
        // the JDK server reads this once per JVM, when the first server starts: set it as LoadGeneratorTest does,
        // or a run that starts here first leaves that test's SSE writes waiting for delayed ACKs
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/models", exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void takesTheFirstListedModel() throws Exception {
        URI url = serve(200, "{\"object\":\"list\",\"data\":[{\"id\":\"tinyllama-Q4_0\"},{\"id\":\"other\"}]}");
        assertEquals("tinyllama-Q4_0", ServedModels.firstId(url, null));
    }

    @Test
    void anEmptyListOrAnErrorAsksForModel() throws Exception {
        URI empty = serve(200, "{\"object\":\"list\",\"data\":[]}");
        IOException none = assertThrows(IOException.class, () -> ServedModels.firstId(empty, null));
        assertTrue(none.getMessage().contains("--model"), none.getMessage());
        stop();
        URI failing = serve(401, "{\"error\":{}}");
        IOException denied = assertThrows(IOException.class, () -> ServedModels.firstId(failing, "key"));
        assertTrue(denied.getMessage().contains("HTTP 401"), denied.getMessage());
    }
}
