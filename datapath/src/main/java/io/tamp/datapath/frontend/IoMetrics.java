package io.tamp.datapath.frontend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * Host I/O per volume and protocol, as the frontends see it: operations, bytes, errors and
 * latency, cumulative and over a sliding window of up to {@link #MAX_WINDOW_SECONDS} whole
 * seconds. The command sets ({@code scsi.ScsiDisk}, {@code nvme.NvmeSubsystem}) call
 * {@link #record} once per I/O command; the management API reads {@link #series()}.
 *
 * <p>Hot path: one lock-free lookup in a copy-on-write table (a lock only the first time a
 * volume is seen on a protocol), then {@link OpStats#record}: HdrHistogram's wait-free
 * {@code Recorder} and three {@code LongAdder}s, nothing allocated. Intervals roll lazily (see
 * {@link OpStats}); no thread of its own.
 *
 * <p>Footprint: each (volume, protocol, op) that has seen I/O holds three 148 KiB histograms
 * (the Recorder's two, the cumulative one) plus its ring: about 1.5 KiB per second at 10,000
 * I/Os a second (see {@link SparseCounts}). {@link #forget} frees a deleted volume's.
 */
public final class IoMetrics {
    public enum Protocol { ISCSI, NVME }

    /** OTHER: flush, unmap/deallocate, write same/zeroes, compare, verify. */
    public enum Op { READ, WRITE, OTHER }

    public static final int MAX_WINDOW_SECONDS = 300;
    public static final long LOWEST_LATENCY_NS = 1_000;
    public static final long HIGHEST_LATENCY_NS = 60_000_000_000L;
    public static final int LATENCY_DIGITS = 3;
    private static final long NS_PER_SECOND = 1_000_000_000L;
    private static final Op[] OPS = Op.values();
    private static final int MIN_TABLE = 16;

    /** Records nothing; its clock always reads 0. */
    public static final IoMetrics NONE = new IoMetrics(() -> 0L, false);

    private final LongSupplier clock;
    private final boolean enabled;
    /** Open addressing, at most half full, replaced whole under {@code this}; readers take no lock. */
    private volatile Series[] table = new Series[MIN_TABLE];

    public IoMetrics() {
        this(System::nanoTime);
    }

    /** @param nanoClock monotonic nanoseconds, as {@link System#nanoTime()} (tests inject their own) */
    public IoMetrics(LongSupplier nanoClock) {
        this(nanoClock, true);
    }

    private IoMetrics(LongSupplier clock, boolean enabled) {
        this.clock = clock;
        this.enabled = enabled;
    }

    /** An empty histogram of the configuration every latency here uses: 1 µs .. 60 s, 3 digits, in ns. */
    public static Histogram newHistogram() {
        return new Histogram(LOWEST_LATENCY_NS, HIGHEST_LATENCY_NS, LATENCY_DIGITS);
    }

    /** This recorder's clock: frontends take a command's start and end from it. */
    public long nanoTime() {
        return clock.getAsLong();
    }

    /**
     * One finished I/O command.
     *
     * @param bytes        data moved between host and target for it (data-out plus data-in),
     *                     not the range it covers: an unmap moves its range list only
     * @param latencyNanos from when the command set took the command to when its status was ready
     * @param error        its status was not GOOD / success
     */
    public void record(Protocol p, long volumeId, Op op, long bytes, long latencyNanos, boolean error) {
        if (!enabled) {
            return;
        }
        long second = nowSecond();
        Series s = find(p, volumeId);
        if (s == null) {
            s = add(p, volumeId, second);
        }
        s.stats(op, second).record(second, bytes, latencyNanos, error);
    }

    /** Every (volume, protocol) seen and not forgotten, by volume id then protocol. */
    public List<Series> series() {
        List<Series> all = live();
        all.sort(Comparator.comparingLong(Series::volumeId).thenComparing(Series::protocol));
        return List.copyOf(all);
    }

    /**
     * Drops a deleted volume's series. An I/O still in flight for it may record after this and
     * bring a series back; forget again once the volume is unmapped everywhere.
     */
    public synchronized void forget(long volumeId) {
        List<Series> kept = live();
        kept.removeIf(s -> s.volumeId == volumeId);
        table = tableOf(kept);
    }

    private List<Series> live() {
        List<Series> all = new ArrayList<>();
        for (Series s : table) {
            if (s != null) {
                all.add(s);
            }
        }
        return all;
    }

    private Series find(Protocol p, long volumeId) {
        Series[] t = table;
        int mask = t.length - 1;
        for (int i = slot(p, volumeId, mask); ; i = (i + 1) & mask) {
            Series s = t[i];
            if (s == null || (s.volumeId == volumeId && s.protocol == p)) {
                return s;
            }
        }
    }

    private synchronized Series add(Protocol p, long volumeId, long second) {
        Series s = find(p, volumeId);
        if (s == null) {
            List<Series> all = live();
            s = new Series(volumeId, p, second, this);
            all.add(s);
            table = tableOf(all);
        }
        return s;
    }

    private static Series[] tableOf(List<Series> all) {
        int size = Math.max(MIN_TABLE, Integer.highestOneBit(all.size() * 2) * 2);
        Series[] t = new Series[size];
        for (Series s : all) {
            int i = slot(s.protocol, s.volumeId, size - 1);
            while (t[i] != null) {
                i = (i + 1) & (size - 1);
            }
            t[i] = s;
        }
        return t;
    }

    private static int slot(Protocol p, long volumeId, int mask) {
        return (int) ((volumeId * 0x9E37_79B9_7F4A_7C15L + p.ordinal()) >>> 32) & mask;
    }

    private long nowSecond() {
        return Math.floorDiv(clock.getAsLong(), NS_PER_SECOND);
    }

    /**
     * What one window held: whole seconds only (the current, partial second is left out, so
     * per-second rates are exact), ending at the last second that has completed.
     *
     * @param seconds how many of the asked-for seconds the series existed for (0 in its first
     *                second): divide by this, not by the window asked for
     * @param latency nanoseconds, as {@link #newHistogram()}
     */
    public record Window(long ops, long bytes, long errors, long seconds, Histogram latency) {
        public double opsPerSecond() {
            return seconds == 0 ? 0 : (double) ops / seconds;
        }

        public double bytesPerSecond() {
            return seconds == 0 ? 0 : (double) bytes / seconds;
        }
    }

    /** One volume on one protocol. Counters are live; histograms and windows are copies. */
    public static final class Series {
        private final long volumeId;
        private final Protocol protocol;
        private final long firstSecond;
        private final IoMetrics owner;
        /** Per {@link Op}, created on its first record: an op never used costs nothing. */
        private final AtomicReferenceArray<OpStats> ops = new AtomicReferenceArray<>(OPS.length);

        private Series(long volumeId, Protocol protocol, long firstSecond, IoMetrics owner) {
            this.volumeId = volumeId;
            this.protocol = protocol;
            this.firstSecond = firstSecond;
            this.owner = owner;
        }

        public long volumeId() {
            return volumeId;
        }

        public Protocol protocol() {
            return protocol;
        }

        public long ops(Op op) {
            OpStats s = ops.get(op.ordinal());
            return s == null ? 0 : s.ops();
        }

        public long bytes(Op op) {
            OpStats s = ops.get(op.ordinal());
            return s == null ? 0 : s.bytes();
        }

        public long errors(Op op) {
            OpStats s = ops.get(op.ordinal());
            return s == null ? 0 : s.errors();
        }

        /** Errors of every op. */
        public long errors() {
            long n = 0;
            for (Op op : OPS) {
                n += errors(op);
            }
            return n;
        }

        /** Every latency of {@code op} recorded so far, in nanoseconds (a copy). */
        public Histogram latency(Op op) {
            OpStats s = ops.get(op.ordinal());
            return s == null ? newHistogram() : s.latency(owner.nowSecond());
        }

        /** The last {@code windowSeconds} whole seconds of {@code op}, clamped to 1 .. {@link #MAX_WINDOW_SECONDS}. */
        public Window window(Op op, long windowSeconds) {
            int seconds = (int) Math.min(Math.max(windowSeconds, 1), MAX_WINDOW_SECONDS);
            long now = owner.nowSecond();
            long covered = Math.min(seconds, Math.max(0, now - firstSecond));
            OpStats s = ops.get(op.ordinal());
            return s == null ? new Window(0, 0, 0, covered, newHistogram()) : s.window(now, seconds, covered);
        }

        OpStats stats(Op op, long second) {
            int i = op.ordinal();
            OpStats s = ops.get(i);
            if (s == null) {
                ops.compareAndSet(i, null, new OpStats(second));
                s = ops.get(i);
            }
            return s;
        }

        @Override
        public String toString() {
            return "volume " + volumeId + " over " + protocol;
        }
    }
}
