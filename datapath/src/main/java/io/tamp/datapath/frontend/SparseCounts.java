package io.tamp.datapath.frontend;

import java.util.Arrays;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * The non-zero buckets of one latency histogram, packed for the one-second ring of
 * {@link IoMetrics}. A {@code Histogram} over 1 µs .. 60 s at 3 digits holds 148 KiB whatever it
 * counts; a busy second fills some hundreds of buckets, which pack into a few KiB here.
 *
 * <pre>
 *   per non-zero bucket, in value order:
 *   +-------------------------------+-------------------+
 *   | varint: distance to the last  | varint: count     |
 *   | bucket, in smallest-bucket    |                   |
 *   | widths (2^unit magnitude ns)  |                   |
 *   +-------------------------------+-------------------+
 * </pre>
 *
 * Encoder and decoder must use histograms of one configuration ({@link IoMetrics#newHistogram()}).
 */
final class SparseCounts {
    static final byte[] EMPTY = new byte[0];

    private SparseCounts() {
    }

    static byte[] encode(Histogram h) {
        if (h.getTotalCount() == 0) {
            return EMPTY;
        }
        int shift = unitShift(h);
        byte[] out = new byte[256];
        int n = 0;
        long last = 0;
        for (HistogramIterationValue v : h.recordedValues()) {
            long unit = h.lowestEquivalentValue(v.getValueIteratedTo()) >>> shift;
            if (out.length - n < 20) {
                out = Arrays.copyOf(out, out.length * 2);
            }
            n = putVarint(out, n, unit - last);
            n = putVarint(out, n, v.getCountAddedInThisIterationStep());
            last = unit;
        }
        return Arrays.copyOf(out, n);
    }

    /** Adds the packed counts to {@code into}. */
    static void addTo(byte[] packed, Histogram into) {
        int shift = unitShift(into);
        long unit = 0;
        int[] at = {0};
        while (at[0] < packed.length) {
            unit += getVarint(packed, at);
            into.recordValueWithCount(unit << shift, getVarint(packed, at));
        }
    }

    /** log2 of the narrowest bucket: every bucket's lowest value is a multiple of it. */
    private static int unitShift(Histogram h) {
        return Long.numberOfTrailingZeros(h.sizeOfEquivalentValueRange(0));
    }

    private static int putVarint(byte[] out, int at, long value) {
        while ((value & ~0x7FL) != 0) {
            out[at++] = (byte) (value & 0x7F | 0x80);
            value >>>= 7;
        }
        out[at++] = (byte) value;
        return at;
    }

    private static long getVarint(byte[] in, int[] at) {
        long value = 0;
        for (int bits = 0; ; bits += 7) {
            byte b = in[at[0]++];
            value |= (long) (b & 0x7F) << bits;
            if (b >= 0) {
                return value;
            }
        }
    }
}
