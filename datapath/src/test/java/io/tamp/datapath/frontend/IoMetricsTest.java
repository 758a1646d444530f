package io.tamp.datapath.frontend;

import static io.tamp.datapath.frontend.IoMetrics.Op.OTHER;
import static io.tamp.datapath.frontend.IoMetrics.Op.READ;
import static io.tamp.datapath.frontend.IoMetrics.Op.WRITE;
import static io.tamp.datapath.frontend.IoMetrics.Protocol.ISCSI;
import static io.tamp.datapath.frontend.IoMetrics.Protocol.NVME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tamp.datapath.frontend.IoMetrics.Series;
import io.tamp.datapath.frontend.IoMetrics.Window;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class IoMetricsTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long US = 1_000L;
    private static final long MS = 1_000_000L;

    private final AtomicLong now = new AtomicLong();
    private final IoMetrics metrics = new IoMetrics(now::get);

    private void at(double seconds) {
        now.set((long) (seconds * SECOND));
    }

    private Series only() {
        List<Series> all = metrics.series();
        assertEquals(1, all.size(), all::toString);
        return all.get(0);
    }

    @Test
    void aWindowHoldsOnlyItsLastWholeSeconds() {
        for (int t = 0; t <= 10; t++) {
            at(t + 0.5);
            metrics.record(ISCSI, 7, WRITE, 4096, 100 * US, false);
        }
        at(11.2);
        metrics.record(ISCSI, 7, WRITE, 4096, 100 * US, false); // the open second: in no window yet
        Series s = only();
        Window five = s.window(WRITE, 5);
        assertEquals(5, five.ops(), "seconds 6..10");
        assertEquals(5 * 4096, five.bytes());
        assertEquals(5, five.seconds());
        assertEquals(5, five.latency().getTotalCount());
        assertEquals(1.0, five.opsPerSecond());
        assertEquals(4096.0, five.bytesPerSecond());
        Window all = s.window(WRITE, 300);
        assertEquals(11, all.ops());
        assertEquals(11, all.seconds(), "the series is 11 whole seconds old");
        assertEquals(12, s.ops(WRITE), "counters include the open second");
        assertEquals(12, s.latency(WRITE).getTotalCount(), "and so does the cumulative histogram");
        at(12.0);
        assertEquals(5, s.window(WRITE, 5).ops(), "seconds 7..11");
        assertEquals(12, s.window(WRITE, 300).ops());
    }

    @Test
    void aWindowCoversNoMoreThanTheSeriesHasExisted() {
        at(100.5);
        metrics.record(NVME, 1, READ, 512, 50 * US, false);
        Series s = only();
        Window first = s.window(READ, 60);
        assertEquals(0, first.seconds(), "nothing whole yet");
        assertEquals(0, first.ops());
        assertEquals(0.0, first.opsPerSecond());
        at(103.9);
        Window w = s.window(READ, 60);
        assertEquals(3, w.seconds());
        assertEquals(1, w.ops());
        assertEquals(0, s.window(WRITE, 60).ops(), "an op never seen is empty");
        assertEquals(3, s.window(WRITE, 60).seconds());
    }

    @Test
    void oldSecondsFallOutOfTheRing() {
        for (int t = 0; t <= 10; t++) {
            at(t + 0.5);
            metrics.record(ISCSI, 7, READ, 8192, 200 * US, false);
        }
        Series s = only();
        at(305.5);
        Window w = s.window(READ, 300);
        assertEquals(6, w.ops(), "seconds 5..304 hold the records of 5..10");
        assertEquals(300, w.seconds());
        at(400);
        assertEquals(0, s.window(READ, 300).ops());
        assertEquals(0, s.window(READ, 300).latency().getTotalCount());
        assertEquals(11, s.ops(READ), "cumulative counters keep everything");
        assertEquals(11 * 8192, s.bytes(READ));
        assertEquals(11, s.latency(READ).getTotalCount());
    }

    @Test
    void aSecondReusingARingSlotReplacesTheOldOne() {
        at(0.5);
        metrics.record(ISCSI, 7, WRITE, 512, 100 * US, false);
        at(0.5 + OpStats.RING_SECONDS); // the same slot, one lap later
        metrics.record(ISCSI, 7, WRITE, 512, 100 * US, false);
        at(2.0 + OpStats.RING_SECONDS);
        Series s = only();
        assertEquals(1, s.window(WRITE, 300).ops());
        assertEquals(1, s.window(WRITE, 2).ops());
        assertEquals(2, s.ops(WRITE));
    }

    @Test
    void windowSecondsAreClampedToOneUpTo300() {
        for (int t = 0; t < 400; t++) {
            at(t + 0.5);
            metrics.record(NVME, 3, OTHER, 0, 10 * US, false);
        }
        at(400);
        Series s = only();
        assertEquals(1, s.window(OTHER, 0).ops());
        assertEquals(1, s.window(OTHER, -5).seconds());
        assertEquals(300, s.window(OTHER, 10_000).ops());
        assertEquals(300, s.window(OTHER, 10_000).seconds());
    }

    @Test
    void percentilesOfAWindowAndOfEverything() {
        at(1.1);
        for (int i = 0; i < 1000; i++) {
            metrics.record(NVME, 2, READ, 4096, 100 * US, false);
        }
        for (int i = 0; i < 10; i++) {
            metrics.record(NVME, 2, READ, 4096, 10 * MS, false);
        }
        at(2.0);
        Series s = only();
        for (Histogram h : new Histogram[] {s.window(READ, 1).latency(), s.latency(READ)}) {
            assertEquals(1010, h.getTotalCount());
            assertEquals(100 * US, h.getValueAtPercentile(50), 100 * US / 100.0);
            assertEquals(100 * US, h.getValueAtPercentile(99), 100 * US / 100.0);
            assertEquals(10 * MS, h.getValueAtPercentile(99.9), 10 * MS / 100.0);
        }
    }

    @Test
    void latenciesOutsideTheRangeAreClamped() {
        at(0);
        metrics.record(ISCSI, 1, WRITE, 512, 120 * SECOND, false);
        metrics.record(ISCSI, 1, WRITE, 512, -5, false);
        Histogram h = only().latency(WRITE);
        assertEquals(2, h.getTotalCount());
        assertTrue(h.valuesAreEquivalent(IoMetrics.HIGHEST_LATENCY_NS, h.getMaxValue()), () -> "max " + h.getMaxValue());
        assertEquals(0, h.getMinValue());
    }

    @Test
    void countersAreKeptPerOpAndErrorsCountedApart() {
        at(0.5);
        metrics.record(ISCSI, 5, READ, 4096, 80 * US, false);
        metrics.record(ISCSI, 5, READ, 4096, 80 * US, true);
        metrics.record(ISCSI, 5, WRITE, 65536, 300 * US, false);
        metrics.record(ISCSI, 5, OTHER, 24, 2 * MS, true);
        Series s = only();
        assertEquals(5, s.volumeId());
        assertEquals(ISCSI, s.protocol());
        assertEquals(2, s.ops(READ));
        assertEquals(8192, s.bytes(READ));
        assertEquals(1, s.ops(WRITE));
        assertEquals(65536, s.bytes(WRITE));
        assertEquals(1, s.ops(OTHER));
        assertEquals(24, s.bytes(OTHER));
        assertEquals(1, s.errors(READ));
        assertEquals(0, s.errors(WRITE));
        assertEquals(2, s.errors());
        at(1.5);
        assertEquals(1, s.window(READ, 1).errors());
        assertEquals(2, s.window(READ, 1).ops());
        assertEquals(0, s.window(WRITE, 1).errors());
    }

    @Test
    void aReaderDrainingMidSecondDoesNotSplitTheSecond() {
        at(5.1);
        for (int i = 0; i < 3; i++) {
            metrics.record(NVME, 9, WRITE, 4096, 100 * US, false);
        }
        Series s = only();
        assertEquals(3, s.latency(WRITE).getTotalCount());
        at(5.6);
        for (int i = 0; i < 2; i++) {
            metrics.record(NVME, 9, WRITE, 4096, 1 * MS, false);
        }
        assertEquals(0, s.window(WRITE, 1).ops(), "second 4 saw nothing");
        at(6.0);
        Window w = s.window(WRITE, 1);
        assertEquals(5, w.ops());
        assertEquals(5 * 4096, w.bytes());
        assertEquals(5, w.latency().getTotalCount());
        assertEquals(2, w.latency().getCountAtValue(1 * MS));
        assertEquals(5, s.latency(WRITE).getTotalCount(), "drained parts are counted once");
    }

    @Test
    void oneSeriesPerVolumeAndProtocolUntilForgotten() {
        at(0);
        metrics.record(NVME, 2, READ, 1, 1 * US, false);
        metrics.record(ISCSI, 2, READ, 1, 1 * US, false);
        metrics.record(ISCSI, 1, WRITE, 1, 1 * US, false);
        metrics.record(ISCSI, 1, WRITE, 1, 1 * US, false);
        List<String> seen = new ArrayList<>();
        metrics.series().forEach(s -> seen.add(s.volumeId() + "/" + s.protocol()));
        assertEquals(List.of("1/ISCSI", "2/ISCSI", "2/NVME"), seen);
        assertEquals(2, metrics.series().get(0).ops(WRITE));
        metrics.forget(2);
        assertEquals(1, metrics.series().size());
        assertEquals(1, metrics.series().get(0).volumeId());
        metrics.record(NVME, 2, READ, 1, 1 * US, false);
        Series again = metrics.series().get(1);
        assertEquals(2, again.volumeId());
        assertEquals(1, again.ops(READ), "a forgotten volume starts over");
    }

    @Test
    void manyVolumesEachKeepTheirOwnSeries() {
        at(0);
        for (long v = 0; v < 200; v++) {
            for (int i = 0; i <= v % 5; i++) {
                metrics.record(v % 2 == 0 ? ISCSI : NVME, v * 1_000_003, WRITE, 512, 1 * US, false);
            }
        }
        List<Series> all = metrics.series();
        assertEquals(200, all.size());
        for (int v = 0; v < 200; v++) {
            Series s = all.get(v);
            assertEquals(v * 1_000_003L, s.volumeId());
            assertEquals(v % 5 + 1, s.ops(WRITE), s::toString);
        }
        for (long v = 0; v < 200; v += 2) {
            metrics.forget(v * 1_000_003);
        }
        assertEquals(100, metrics.series().size());
        metrics.record(NVME, 3_000_009, WRITE, 512, 1 * US, false);
        assertEquals(5, metrics.series().get(1).ops(WRITE), "a survivor is still found after the table shrank");
    }

    @Test
    void concurrentRecordsAcrossRollsAreNeitherLostNorCountedTwice() throws Exception {
        int threads = 4;
        int perThread = 20_000;
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    now.addAndGet(1 * MS); // every 1000 records a new second: rolls race records
                    metrics.record(ISCSI, 4, WRITE, 512, 100 * US, false);
                }
            });
            all.add(thread);
            thread.start();
        }
        Series s = null;
        while (s == null || all.stream().anyMatch(Thread::isAlive)) {
            if (!metrics.series().isEmpty()) {
                s = only();
                s.window(WRITE, 300); // a reader rolling concurrently
            }
        }
        for (Thread t : all) {
            t.join();
        }
        long n = (long) threads * perThread;
        now.addAndGet(SECOND);
        assertEquals(n, s.ops(WRITE));
        assertEquals(n * 512, s.bytes(WRITE));
        assertEquals(n, s.latency(WRITE).getTotalCount());
        Window w = s.window(WRITE, 300);
        assertEquals(n, w.ops());
        assertEquals(n, w.latency().getTotalCount());
    }

    @Test
    void recordingWithinASecondAllocatesNothing() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        at(7.0);
        for (int i = 0; i < 10_000; i++) { // the series, its op and the JIT settle first
            metrics.record(NVME, 123_456_789, READ, 4096, (i % 500) * US, false);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            metrics.record(NVME, 123_456_789, READ, 4096, (i % 500) * US, i % 100 == 0);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 1024, () -> allocated + " bytes allocated by 100000 records");
        assertEquals(110_000, only().ops(READ));
    }

    @Test
    void noneRecordsNothing() {
        IoMetrics.NONE.record(ISCSI, 1, READ, 4096, 100 * US, false);
        assertTrue(IoMetrics.NONE.series().isEmpty());
        assertEquals(0, IoMetrics.NONE.nanoTime());
    }
}
