package io.tamp.datapath.frontend;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One operation kind of one {@link IoMetrics.Series}: cumulative counters and latencies, and a
 * ring of one-second intervals for the last {@link IoMetrics#MAX_WINDOW_SECONDS}.
 *
 * <p>Recording is the {@link Recorder}'s wait-free {@code recordValue} plus three
 * {@link LongAdder}s. The Recorder's open interval is rolled into the ring lazily, with no
 * thread of its own: by the first record of a new second (under {@code tryLock}, so a recorder
 * never waits: if a reader holds the lock, the next record rolls) and by every reader, which
 * also drains the open second so cumulative numbers are current. Everything rolled in one call
 * is booked to the second that was open, so a record racing a roll may land in the
 * neighbouring second.
 */
final class OpStats {
    /** The window seconds plus the open one, which readers drain but windows leave out. */
    static final int RING_SECONDS = IoMetrics.MAX_WINDOW_SECONDS + 1;

    private final Recorder recorder = new Recorder(IoMetrics.LOWEST_LATENCY_NS, IoMetrics.HIGHEST_LATENCY_NS,
            IoMetrics.LATENCY_DIGITS);
    private final LongAdder ops = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final ReentrantLock rolling = new ReentrantLock();
    private volatile long openSecond;

    // Guarded by rolling.
    private final Histogram total = IoMetrics.newHistogram();
    private final Interval[] ring = new Interval[RING_SECONDS];
    private Histogram spare;
    private long opsRolled;
    private long bytesRolled;
    private long errorsRolled;

    /** What one second saw; latencies packed by {@link SparseCounts}. */
    private record Interval(long second, long ops, long bytes, long errors, byte[] latencies) {
    }

    OpStats(long second) {
        this.openSecond = second;
    }

    void record(long second, long byteCount, long latencyNs, boolean error) {
        if (second > openSecond && rolling.tryLock()) {
            try {
                roll(second);
            } finally {
                rolling.unlock();
            }
        }
        recorder.recordValue(Math.min(Math.max(latencyNs, 0), IoMetrics.HIGHEST_LATENCY_NS));
        ops.increment();
        bytes.add(byteCount);
        if (error) {
            errors.increment();
        }
    }

    long ops() {
        return ops.sum();
    }

    long bytes() {
        return bytes.sum();
    }

    long errors() {
        return errors.sum();
    }

    /** Every latency recorded up to now, as a copy. */
    Histogram latency(long nowSecond) {
        rolling.lock();
        try {
            roll(nowSecond);
            return total.copy();
        } finally {
            rolling.unlock();
        }
    }

    /** The whole seconds [nowSecond - seconds, nowSecond), summed; {@code covered} is passed through. */
    IoMetrics.Window window(long nowSecond, int seconds, long covered) {
        List<Interval> in = new ArrayList<>(seconds);
        rolling.lock();
        try {
            roll(nowSecond);
            for (Interval i : ring) {
                if (i != null && i.second >= nowSecond - seconds && i.second < nowSecond) {
                    in.add(i);
                }
            }
        } finally {
            rolling.unlock();
        }
        Histogram latency = IoMetrics.newHistogram();
        long o = 0;
        long b = 0;
        long e = 0;
        for (Interval i : in) {
            o += i.ops;
            b += i.bytes;
            e += i.errors;
            SparseCounts.addTo(i.latencies, latency);
        }
        return new IoMetrics.Window(o, b, e, covered, latency);
    }

    /** Books what the Recorder holds to the open second, then opens {@code nowSecond} if later. */
    private void roll(long nowSecond) {
        long second = openSecond;
        Histogram h = recorder.getIntervalHistogram(spare);
        spare = h; // ours until the next roll hands it back to the Recorder, which clears it
        long o = ops.sum();
        long b = bytes.sum();
        long e = errors.sum();
        if (h.getTotalCount() > 0 || o != opsRolled) {
            byte[] latencies = SparseCounts.encode(h);
            SparseCounts.addTo(latencies, total);
            long secondOps = o - opsRolled;
            long secondBytes = b - bytesRolled;
            long secondErrors = e - errorsRolled;
            int slot = (int) Math.floorMod(second, (long) RING_SECONDS);
            Interval before = ring[slot];
            if (before != null && before.second == second) {
                // A reader drained part of this second already: book the two parts as one.
                SparseCounts.addTo(before.latencies, h);
                latencies = SparseCounts.encode(h);
                secondOps += before.ops;
                secondBytes += before.bytes;
                secondErrors += before.errors;
            }
            ring[slot] = new Interval(second, secondOps, secondBytes, secondErrors, latencies);
            opsRolled = o;
            bytesRolled = b;
            errorsRolled = e;
        }
        if (nowSecond > second) {
            openSecond = nowSecond;
        }
    }
}
