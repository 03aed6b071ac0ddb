package dev.infer4j.server.metrics;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A latency distribution exposed as a Prometheus summary in seconds. Any thread records without locks into an
 * HdrHistogram {@link Recorder}; a scrape folds the recorder's interval into a cumulative histogram, because
 * Prometheus summaries are cumulative since start.
 */
public final class LatencySummary {

    private static final double[] QUANTILES = {0.5, 0.9, 0.95, 0.99};
    /** One microsecond to one hour at three significant digits. */
    private static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);

    private final String name;
    private final String help;
    private final Recorder recorder = new Recorder(1, HIGHEST_MICROS, 3);
    private final Histogram cumulative = new Histogram(1, HIGHEST_MICROS, 3);
    private final LongAdder sumNanos = new LongAdder();
    private Histogram interval;

    public LatencySummary(String name, String help) {
        this.name = name;
        this.help = help;
    }

    /** Records one observation; safe from any thread. */
    public void recordNanos(long nanos) {
        long micros = Math.clamp(nanos / 1_000, 1, HIGHEST_MICROS);
        recorder.recordValue(micros);
        sumNanos.add(Math.max(0, nanos));
    }

    /** Observations so far (including those not yet folded in). */
    public synchronized long count() {
        fold();
        return cumulative.getTotalCount();
    }

    /** Appends the summary in Prometheus text format. */
    public synchronized void writeTo(StringBuilder out) {
        fold();
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" summary\n");
        for (double q : QUANTILES) {
            double seconds = cumulative.getTotalCount() == 0 ? Double.NaN
                    : cumulative.getValueAtPercentile(q * 100) / 1e6;
            out.append(name).append("{quantile=\"").append(q).append("\"} ").append(PrometheusText.number(seconds))
                    .append('\n');
        }
        out.append(name).append("_sum ").append(PrometheusText.number(sumNanos.sum() / 1e9)).append('\n');
        out.append(name).append("_count ").append(cumulative.getTotalCount()).append('\n');
    }

    private void fold() {
        interval = recorder.getIntervalHistogram(interval);
        cumulative.add(interval);
    }
}
