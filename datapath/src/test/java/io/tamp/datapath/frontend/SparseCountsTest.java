package io.tamp.datapath.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class SparseCountsTest {

    @Test
    void packedCountsAddBackToTheSameHistogram() {
        for (long seed = 1; seed <= 20; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            Histogram original = IoMetrics.newHistogram();
            int values = random.nextInt(1, 5000);
            for (int i = 0; i < values; i++) {
                // log-uniform over the whole range, with repeats so counts exceed one varint byte
                long v = (long) Math.exp(random.nextDouble(0, Math.log(IoMetrics.HIGHEST_LATENCY_NS)));
                original.recordValueWithCount(v, random.nextInt(1, 300));
            }
            Histogram back = IoMetrics.newHistogram();
            SparseCounts.addTo(SparseCounts.encode(original), back);
            assertEquals(original, back, "seed " + seed);
            assertEquals(original.getTotalCount(), back.getTotalCount(), "seed " + seed);
        }
    }

    @Test
    void anEmptyHistogramPacksToNothing() {
        assertEquals(0, SparseCounts.encode(IoMetrics.newHistogram()).length);
        Histogram h = IoMetrics.newHistogram();
        SparseCounts.addTo(SparseCounts.EMPTY, h);
        assertEquals(0, h.getTotalCount());
    }
}
