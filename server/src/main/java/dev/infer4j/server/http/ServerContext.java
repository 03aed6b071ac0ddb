package dev.infer4j.server.http;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infer4j.server.backend.CompletionBackend;
import dev.infer4j.server.metrics.ServerMetrics;
import dev.infer4j.server.openai.GenerationPlanner;
import dev.infer4j.server.openai.RequestParser;
import dev.infer4j.server.openai.ResponseEncoder;

import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * What every connection of one server shares. Immutable; the objects it holds are thread-safe.
 *
 * @param backend          the engine port
 * @param modelName        the model id clients see (the alias, if configured)
 * @param apiKey           required bearer token, or null for none
 * @param requestTimeout   how long a client may take to send one whole request
 * @param eventQueueSize   events buffered per choice before a slow client's generation is cancelled
 * @param preparation      runs chat rendering, tokenization and submission off the event loops
 */
public record ServerContext(CompletionBackend backend, String modelName, String apiKey, Duration requestTimeout,
                            int eventQueueSize, Executor preparation, ObjectMapper mapper, RequestParser parser,
                            ResponseEncoder encoder, GenerationPlanner planner, ServerMetrics metrics,
                            AdmissionGate admission) {

    /** Builds the shared state for one server. */
    public static ServerContext create(CompletionBackend backend, String modelName, String apiKey,
                                       Duration requestTimeout, int maxQueuedRequests, int eventQueueSize,
                                       Executor preparation) {
        // "{...} trailing junk" is malformed, not a valid object followed by ignorable bytes
        ObjectMapper mapper = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        AdmissionGate admission = new AdmissionGate(maxQueuedRequests);
        ServerMetrics metrics = new ServerMetrics(admission::inFlight, backend::stats);
        return new ServerContext(backend, modelName, apiKey, requestTimeout, eventQueueSize, preparation, mapper,
                new RequestParser(mapper), new ResponseEncoder(mapper.getFactory()), new GenerationPlanner(backend),
                metrics, admission);
    }
}
