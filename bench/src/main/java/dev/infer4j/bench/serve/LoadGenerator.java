package dev.infer4j.bench.serve;

import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs one load test: sends every prompt as a streaming request, at most {@code concurrency} at a time, with
 * arrivals either back to back or drawn from a Poisson process, and collects their timings into a
 * {@link BenchmarkReport}. Each request runs on its own virtual thread.
 */
public final class LoadGenerator {
    private final LoadConfig config;

    /** A generator for this configuration. */
    public LoadGenerator(LoadConfig config) {
        this.config = config;
    }

    /** Runs the load and returns the report; bounded by the request count and the per-request timeout. */
    public BenchmarkReport run() throws IOException, InterruptedException {
        List<String> prompts = PromptSource.prompts(config);
        HttpClient http = StreamingClient.newHttpClient(Duration.ofSeconds(10));
        StreamingClient client = new StreamingClient(http, config);
        SplittableRandom arrivals = new SplittableRandom(config.seed() ^ 0x5DEECE66DL);
        Semaphore slots = new Semaphore(config.concurrency());
        List<Future<RequestResult>> futures = new ArrayList<>(prompts.size());
        long start = System.nanoTime();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            long nextArrival = start;
            for (String prompt : prompts) {
                if (config.requestRate() > 0) {
                    LockSupport.parkNanos(nextArrival - System.nanoTime());
                    double gapSeconds = -Math.log(1.0 - arrivals.nextDouble()) / config.requestRate();
                    nextArrival += (long) (gapSeconds * 1e9);
                }
                slots.acquire();
                futures.add(threads.submit(() -> {
                    try {
                        return client.send(prompt);
                    } finally {
                        slots.release();
                    }
                }));
            }
            List<RequestResult> results = new ArrayList<>(futures.size());
            for (Future<RequestResult> f : futures) {
                results.add(await(f));
            }
            long wall = System.nanoTime() - start;
            return BenchmarkReport.of(config, results, wall);
        } finally {
            http.close();
        }
    }

    private RequestResult await(Future<RequestResult> f) throws InterruptedException {
        try {
            return f.get(config.timeout().toNanos() * 2, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            f.cancel(true);
            return RequestResult.failed(e.toString(), config.timeout().toNanos());
        }
    }
}
