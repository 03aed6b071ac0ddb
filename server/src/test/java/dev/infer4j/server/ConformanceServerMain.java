package dev.infer4j.server;

import dev.infer4j.server.fake.Script;
import dev.infer4j.server.fake.ScriptedBackend;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Starts the server on the scripted fake backend, for running {@code src/test/openai/conformance.mjs} without a
 * model: {@code ConformanceServerMain [port] [apiKey]}. The fake answers every prompt with the same sentence, so
 * greedy requests are deterministic as the conformance script assumes. Runs until killed.
 */
public final class ConformanceServerMain {

    private ConformanceServerMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        String apiKey = args.length > 1 ? args[1] : null;
        ScriptedBackend backend = new ScriptedBackend(4096);
        backend.script(spec -> Script.reply("The quick brown fox jumps over the lazy dog. Then it naps."));
        ServerConfig config = ServerConfig.defaults(port).withApiKey(apiKey)
                .withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(60));
        InferenceServer server = InferenceServer.start(config, backend);
        System.out.println("listening on http://127.0.0.1:" + server.port());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            backend.close();
        }));
        new CountDownLatch(1).await();
    }
}
