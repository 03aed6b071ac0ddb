package dev.infer4j.runtime.sampling;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MassHistogramTest {

    @Test
    void theLimitIsTheBucketWhereTheMassIsReachedPlusOneOfMargin() {
        // buckets are 1/32 nat wide: values 0, 0.01 share bucket 0; 0.5 is bucket 16; 1.0 bucket 32; 40 the last
        float[] values = {0f, 0.01f, 0.5f, 1.0f, 40f};
        double[] masses = {0.3, 0.2, 0.25, 0.2, 0.05};
        MassHistogram h = new MassHistogram();
        assertEquals(1, h.limit(values, masses, 5, 0.5, 0), "bucket 0 already holds half the mass");
        assertEquals(17, h.limit(values, masses, 5, 0.6, 0), "0.75 is reached in bucket 16");
        assertEquals(17, h.limit(values, masses, 5, 0.5, 3), "three candidates are only seen in bucket 16");
        assertEquals(33, h.limit(values, masses, 5, 0.9, 0), "0.95 in bucket 32");
        assertEquals(MassHistogram.BUCKETS - 1, h.limit(values, masses, 5, 0.99, 0), "only the last bucket");
        assertEquals(MassHistogram.BUCKETS - 1, h.limit(values, masses, 5, 2.0, 0), "never reached");
        assertEquals(MassHistogram.BUCKETS - 1, MassHistogram.bucket(Float.POSITIVE_INFINITY));
        assertEquals(MassHistogram.BUCKETS - 1, MassHistogram.bucket(Float.NaN));
    }
}
