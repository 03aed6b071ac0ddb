package dev.infer4j.server.engine;

import dev.infer4j.runtime.engine.GenerationEvent;
import dev.infer4j.runtime.engine.GenerationListener;
import dev.infer4j.runtime.engine.SpeculationCounts;
import dev.infer4j.runtime.sampling.TokenLogprob;
import dev.infer4j.server.backend.BackendException;
import dev.infer4j.server.backend.EventSink;
import dev.infer4j.server.backend.Failed;
import dev.infer4j.server.backend.FinishReason;
import dev.infer4j.server.backend.Finished;
import dev.infer4j.server.backend.PromptTokens;
import dev.infer4j.server.backend.ScoredToken;
import dev.infer4j.server.backend.SpeculationUsage;
import dev.infer4j.server.backend.TokenDelta;
import dev.infer4j.server.backend.Usage;

import java.util.List;

/**
 * Translates one generation's engine events into the backend port's events, on the engine thread. The engine's
 * token text is already UTF-8 safe and free of stop-string candidates, so it passes through unchanged; text the
 * engine releases only at the end travels in {@link Finished#text()}.
 */
final class EventRelay implements GenerationListener {

    private final EventSink sink;
    private final TokenPieces pieces;
    private final boolean speculating;

    /**
     * @param speculating whether the engine decodes speculatively: then the usage carries its counts, even all zero
     *                    (a generation that ended before its first decode step), and otherwise none at all
     */
    EventRelay(EventSink sink, TokenPieces pieces, boolean speculating) {
        this.sink = sink;
        this.pieces = pieces;
        this.speculating = speculating;
    }

    @Override
    public void onEvent(GenerationEvent event) {
        switch (event) {
            case GenerationEvent.PromptLogprobs p -> sink.accept(promptTokens(p));
            case GenerationEvent.Token t -> sink.accept(new TokenDelta(t.text(), pieces.scored(t.token(), t.logprob()),
                    top(t.top())));
            case GenerationEvent.Finished f -> {
                FinishReason reason = switch (f.reason()) {
                    case STOP -> FinishReason.STOP;
                    case LENGTH -> FinishReason.LENGTH;
                    // the server asked for it and ignores whatever follows, so nothing is sent
                    case CANCELLED -> null;
                };
                if (reason != null) {
                    sink.accept(new Finished(reason, usage(f.usage()), f.text() == null ? "" : f.text()));
                }
            }
            case GenerationEvent.Failed f -> sink.accept(new Failed(
                    new BackendException(BackendException.Kind.INTERNAL, "generation failed: " + f.message())));
        }
    }

    /** The echoed prompt: each token's own text and score, the first without one. */
    private PromptTokens promptTokens(GenerationEvent.PromptLogprobs p) {
        List<TokenDelta> tokens = new java.util.ArrayList<>(p.tokens().size());
        for (int i = 0; i < p.tokens().size(); i++) {
            TokenLogprob t = p.tokens().get(i);
            ScoredToken scored = pieces.scored(t.token(), (double) t.logprob());
            tokens.add(new TokenDelta(scored.text(), scored, top(p.top().get(i))));
        }
        return new PromptTokens(tokens);
    }

    private List<ScoredToken> top(List<TokenLogprob> top) {
        if (top.isEmpty()) {
            return List.of();
        }
        ScoredToken[] out = new ScoredToken[top.size()];
        for (int i = 0; i < out.length; i++) {
            TokenLogprob t = top.get(i);
            out[i] = pieces.scored(t.token(), t.logprob());
        }
        return List.of(out);
    }

    private Usage usage(dev.infer4j.runtime.engine.Usage u) {
        int cached = Math.min(Math.max(0, u.cachedTokens()), u.promptTokens());
        SpeculationCounts s = u.speculation();
        SpeculationUsage speculation = speculating
                ? new SpeculationUsage(s.draftedTokens(), s.acceptedTokens(), s.decodeSteps(), s.decodeTokens())
                : null;
        return new Usage(u.promptTokens(), u.completionTokens(), cached, speculation);
    }
}
