package dev.infer4j.cli;

import dev.infer4j.runtime.hub.DownloadProgress;
import dev.infer4j.runtime.hub.HubClient;
import dev.infer4j.runtime.hub.HubException;
import dev.infer4j.runtime.hub.HubModelRef;
import dev.infer4j.runtime.spec.Speculation;
import dev.infer4j.server.InferenceServer;
import dev.infer4j.server.ServerConfig;
import dev.infer4j.server.backend.ModelInfo;
import dev.infer4j.server.engine.BackendLoader;
import dev.infer4j.server.engine.EngineBackend;
import dev.infer4j.server.engine.LoadOptions;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code infer4j serve}: an OpenAI-compatible HTTP server over one model, like llama.cpp's {@code llama-server}.
 * Runs until interrupted; Ctrl-C or SIGTERM closes connections, the engine and the model file cleanly.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a GGUF model over an OpenAI-compatible HTTP API (/v1/chat/completions, /v1/completions, "
                + "/v1/models, /health, /metrics, /tokenize, /detokenize).")
final class ServeCommand implements Callable<Integer> {

    /** Exactly one of a local file or a Hugging Face repository. */
    static final class ModelSource {
        @Option(names = {"-m", "--model"}, paramLabel = "FILE", description = "a .gguf model file")
        Path file;

        @Option(names = "--hf", paramLabel = "OWNER/REPO[:QUANT]",
                description = "download (or reuse from the cache) a GGUF from the Hugging Face hub")
        String hub;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    ModelSource source;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to bind (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "TCP port, 0 for any free one (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--api-key", paramLabel = "KEY", description = "require 'Authorization: Bearer KEY' on API requests")
    String apiKey;

    @Option(names = "--alias", paramLabel = "NAME", description = "the model id clients see (default: the file name)")
    String alias;

    @Option(names = {"-c", "--ctx"}, paramLabel = "N", defaultValue = "0",
            description = "context length per sequence; 0 for the model's, at most " + LoadOptions.DEFAULT_MAX_CONTEXT
                    + " (default: ${DEFAULT-VALUE})")
    int contextLength;

    @Option(names = {"-np", "--parallel"}, paramLabel = "N", defaultValue = "4",
            description = "sequences decoded together (default: ${DEFAULT-VALUE})")
    int parallel;

    @Option(names = "--queue", paramLabel = "N", defaultValue = "64",
            description = "requests waiting beyond the running ones before 429 (default: ${DEFAULT-VALUE})")
    int queue;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", defaultValue = "0",
            description = "compute threads, 0 for one per core (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--no-warmup", description = "skip the short warm-up run before serving (it compiles the "
            + "kernels so the first request does not wait for the JIT)")
    boolean noWarmup;

    @Option(names = "--chat-template", paramLabel = "NAME|FILE",
            description = "chatml, llama2, llama3, mistral, gemma, phi3, or a Jinja file (default: the model's own, "
                    + "else a built-in format for its architecture)")
    String chatTemplate;

    @Mixin
    SpeculationOptions speculationOptions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        oneLineLogRecords();
        PrintWriter err = spec.commandLine().getErr();
        if (parallel < 1 || queue < 0 || contextLength < 0 || threads < 0) {
            throw new IllegalArgumentException("--parallel must be >= 1; --queue, --ctx and --threads >= 0");
        }
        Speculation speculation = speculationOptions.speculation(); // refuses bad options before any download
        long start = System.nanoTime();
        Path file = source.file != null ? source.file : fetch(source.hub);
        // the engine's own queue is a backstop: the server's admission bound (429) is met first, but a request
        // with n choices takes n engine slots
        LoadOptions options = new LoadOptions(null, contextLength, parallel, 4 * (parallel + queue), threads,
                chatTemplate, !noWarmup, speculation);
        EngineBackend backend = BackendLoader.load(file, options);
        InferenceServer server;
        try {
            ServerConfig config = ServerConfig.defaults(port).withHost(host).withApiKey(apiKey).withModelAlias(alias)
                    .withMaxQueuedRequests(parallel + queue);
            server = InferenceServer.start(config, backend);
        } catch (IOException | RuntimeException e) {
            backend.close();
            throw e;
        }
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            backend.close();
            err.println("infer4j serve: stopped");
            err.flush();
            closed.countDown();
        }, "infer4j-shutdown"));
        ModelInfo model = backend.model();
        err.printf("infer4j serve: %s (context %d, %d parallel, chat template: %s%s) ready in %d ms; "
                        + "listening on http://%s:%d%n", alias != null ? alias : model.id(), model.contextLength(),
                parallel, backend.chatTemplateOrigin(), describe(speculation), (System.nanoTime() - start) / 1_000_000,
                host, server.port());
        err.flush();
        closed.await();
        return 0;
    }

    /** The speculation part of the ready line, empty without speculation. */
    private static String describe(Speculation speculation) {
        return switch (speculation) {
            case null -> "";
            case Speculation.DraftFile d -> ", speculation: draft " + d.file().getFileName() + " up to " + d.maxTokens()
                    + " tokens";
            case Speculation.Ngram n -> ", speculation: n-gram lookup up to " + n.maxTokens() + " tokens";
            case Speculation.Draft d -> ", speculation: a loaded draft up to " + d.maxTokens() + " tokens";
        };
    }

    private static Path fetch(String hub) throws IOException, InterruptedException {
        try {
            return HubClient.fromEnvironment(DownloadProgress.bar(System.err)).fetch(HubModelRef.parse(hub));
        } catch (HubException e) {
            throw new IOException("cannot fetch " + hub + ": " + e.getMessage(), e);
        }
    }

    /**
     * The access log writes one line per request through java.util.logging, whose default layout takes two lines a
     * record; unless the user configured a layout, use one line.
     */
    private static void oneLineLogRecords() {
        String key = "java.util.logging.SimpleFormatter.format";
        if (System.getProperty(key) == null) {
            System.setProperty(key, "%1$tF %1$tT %4$s %5$s%6$s%n");
        }
    }
}
