package dev.infer4j.server.openai;

import dev.infer4j.server.backend.FinishReason;
import dev.infer4j.server.backend.SpeculationUsage;
import dev.infer4j.server.backend.TokenDelta;
import dev.infer4j.server.backend.Usage;

import java.util.ArrayList;
import java.util.List;

/**
 * What one choice has produced so far. Mutable and confined to the request's event loop: a non-streaming response
 * collects its text and log-probabilities here; a streaming one keeps only the character offset for
 * {@code text_offset} and the end.
 */
public final class ChoiceOutput {

    private final PlannedChoice plan;
    private final StringBuilder text = new StringBuilder();
    private final List<TokenDelta> logprobTokens = new ArrayList<>();
    private int textOffset;
    private int generatedTokens;
    private FinishReason finishReason;
    private Usage usage;

    public ChoiceOutput(PlannedChoice plan) {
        this.plan = plan;
    }

    /** The plan this output belongs to. */
    public PlannedChoice plan() {
        return plan;
    }

    /** The choice's {@code index}. */
    public int index() {
        return plan.index();
    }

    /** The collected text (non-streaming responses). */
    public StringBuilder text() {
        return text;
    }

    /** Tokens whose log-probabilities are reported (non-streaming responses), prompt tokens first when echoed. */
    public List<TokenDelta> logprobTokens() {
        return logprobTokens;
    }

    /** Code points of output already accounted for in {@code text_offset}. */
    public int textOffset() {
        return textOffset;
    }

    /** Accounts for code points reported in {@code text_offset}. */
    public void advanceTextOffset(int codePoints) {
        textOffset += codePoints;
    }

    /** Tokens generated so far. */
    public int generatedTokens() {
        return generatedTokens;
    }

    /** Counts one generated token. */
    public void countToken() {
        generatedTokens++;
    }

    /** Whether the backend reported the end of this choice. */
    public boolean finished() {
        return finishReason != null;
    }

    /** Why the choice ended, or null while it runs. */
    public FinishReason finishReason() {
        return finishReason;
    }

    /** Usage reported by the backend, or null before the choice finished. */
    public Usage usage() {
        return usage;
    }

    /** Records the end of the choice. */
    public void finish(FinishReason reason, Usage usage) {
        this.finishReason = reason;
        this.usage = usage;
    }

    /**
     * Sums usage over choices; prompt tokens count once per prompt (see {@link PlannedChoice#countsPrompt()}).
     * Speculation counts are summed over the choices that report them (so the rates are the request's, weighted by
     * tokens), and stay null when none does.
     */
    public static Usage totalUsage(List<ChoiceOutput> choices) {
        int prompt = 0;
        int completion = 0;
        int cached = 0;
        SpeculationUsage speculation = null;
        for (ChoiceOutput c : choices) {
            Usage u = c.usage;
            if (u == null) {
                completion += c.generatedTokens;
                continue;
            }
            completion += u.completionTokens();
            if (c.plan.countsPrompt()) {
                prompt += u.promptTokens();
                cached += u.cachedPromptTokens();
            }
            if (u.speculation() != null) {
                speculation = speculation == null ? u.speculation() : speculation.plus(u.speculation());
            }
        }
        return new Usage(prompt, completion, cached, speculation);
    }
}
