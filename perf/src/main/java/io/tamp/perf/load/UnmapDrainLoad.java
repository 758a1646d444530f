package io.tamp.perf.load;

import io.tamp.datapath.volume.Engine;
import io.tamp.datapath.volume.EngineConfig;
import io.tamp.datapath.volume.IoStatus;
import io.tamp.datapath.volume.Volume;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Measures what unmapping (or deleting) a large volume costs: the foreground time of the call, and
 * the latency of 4 KiB random writes on another volume while the background drain releases the
 * blocks, against the same load measured just before. Not part of the test suite.
 *
 * <p>Before the baseline the same load runs unrecorded for warmupSeconds (default 0): the overwrite
 * load on a freshly filled volume slows by itself for a while (its garbage, the cleaner, RocksDB
 * growing), and a warmed-up baseline keeps that drift out of the drain's ratio. The {@code none}
 * mode measures what drift is left.
 *
 * <pre>java -cp perf/target/benchmarks.jar io.tamp.perf.load.UnmapDrainLoad [fillGiB] [seconds] [delete|unmap|none] [drainBlocksPerTick] [warmupSeconds]</pre>
 */
public final class UnmapDrainLoad {
    static final int B = 4096;

    public static void main(String[] args) throws Exception {
        double fillGiB = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        boolean delete = args.length > 2 && args[2].equals("delete");
        boolean none = args.length > 2 && args[2].equals("none"); // control: the same phases, no unmap at all
        int drainPerTick = args.length > 3 ? Integer.parseInt(args[3]) : EngineConfig.defaults(Path.of(".")).drainBlocksPerTick();
        int warmupSeconds = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        Path dir = Files.createTempDirectory("tamp-drain");
        EngineConfig d = EngineConfig.defaults(dir);
        EngineConfig c = new EngineConfig(dir, 2, 16 * EngineConfig.GiB, d.segmentBytes(), d.fingerprintEntries(),
                true, d.flushIntervalMs(), drainPerTick, d.inlineUnmapBlocks());
        try (Engine e = Engine.open(c)) {
            Volume big = e.createVolume("big", 10 * EngineConfig.GiB);
            Volume other = e.createVolume("other", EngineConfig.GiB);
            long fillBlocks = (long) (fillGiB * EngineConfig.GiB / B);
            long t0 = System.nanoTime();
            fill(big, fillBlocks, 1);
            fill(other, other.sizeBytes() / B, 2); // every later write overwrites: baseline and during do the same work
            e.flush();
            System.out.printf("filled %d blocks of 'big' in %.1f s; mapped=%d%n", fillBlocks,
                    (System.nanoTime() - t0) / 1e9, big.mappedBlocks());
            if (warmupSeconds > 0) {
                report("warm-up   ", randomWrites(other, warmupSeconds, 6));
            }
            Histogram base = randomWrites(other, seconds, 3);
            report("baseline  ", base);
            long u0 = System.nanoTime();
            IoStatus s;
            if (delete) {
                e.deleteVolume(big);
                s = IoStatus.OK;
            } else if (none) {
                s = IoStatus.OK;
            } else {
                s = big.unmap(0, big.sizeBytes());
            }
            long foregroundNs = System.nanoTime() - u0;
            System.out.printf("%s of the 10 GiB volume (%d mapped blocks): %s in %.3f ms foreground%n",
                    delete ? "delete" : none ? "nothing (control)" : "unmap", fillBlocks, s, foregroundNs / 1e6);
            long d0 = System.nanoTime();
            Histogram during = randomWrites(other, seconds, 4);
            report("during    ", during);
            while (e.space().pendingUnmaps() > 0) {
                Thread.sleep(50);
            }
            System.out.printf("drain finished %.1f s after the unmap; unique blocks now %d%n",
                    (System.nanoTime() - d0) / 1e9, e.space().uniqueBlocks());
            Histogram after = randomWrites(other, seconds, 5);
            report("after     ", after); // the control: the same load with no drain running
            System.out.printf("ratio during/baseline: p50 %.2f, p99 %.2f, p99.9 %.2f%n",
                    (double) during.getValueAtPercentile(50) / base.getValueAtPercentile(50),
                    (double) during.getValueAtPercentile(99) / base.getValueAtPercentile(99),
                    (double) during.getValueAtPercentile(99.9) / base.getValueAtPercentile(99.9));
            System.out.printf("control after/baseline: p50 %.2f, p99 %.2f, p99.9 %.2f%n",
                    (double) after.getValueAtPercentile(50) / base.getValueAtPercentile(50),
                    (double) after.getValueAtPercentile(99) / base.getValueAtPercentile(99),
                    (double) after.getValueAtPercentile(99.9) / base.getValueAtPercentile(99.9));
        } finally {
            try (var w = Files.walk(dir)) {
                w.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Sequential 1 MiB writes of unique, 2:1-compressible blocks. */
    static void fill(Volume v, long blocks, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] buf = new byte[256 * B];
        for (long done = 0; done < blocks; done += 256) {
            int n = (int) Math.min(256, blocks - done);
            for (int i = 0; i < n * B; i += 8) {
                long x = (i & 8) == 0 ? r.nextLong() : 0x6162636465666768L;
                for (int k = 0; k < 8; k++) {
                    buf[i + k] = (byte) (x >>> (8 * k));
                }
            }
            IoStatus s = v.write(done * B, ByteBuffer.wrap(buf, 0, n * B), false);
            if (!s.ok()) {
                throw new IllegalStateException("fill failed: " + s);
            }
        }
    }

    /** QD1 4 KiB random overwrites (the volume is full) of unique blocks for the given time; latency in microseconds. */
    static Histogram randomWrites(Volume v, int seconds, long seed) {
        Histogram h = new Histogram(TimeUnit.SECONDS.toMicros(10), 3);
        SplittableRandom r = new SplittableRandom(seed);
        byte[] block = new byte[B];
        long blocks = v.sizeBytes() / B;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            r.nextBytes(block);
            long lba = r.nextLong(blocks);
            long t = System.nanoTime();
            IoStatus s = v.write(lba * B, block, false);
            h.recordValue(Math.max(1, (System.nanoTime() - t) / 1000));
            if (!s.ok()) {
                throw new IllegalStateException("write failed: " + s);
            }
        }
        return h;
    }

    static void report(String label, Histogram h) {
        System.out.printf("%s writes=%d p50=%d us p99=%d us p99.9=%d us max=%d us%n", label, h.getTotalCount(),
                h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue());
    }
}
