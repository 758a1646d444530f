package io.tamp.perf.load;

import io.tamp.datapath.volume.Engine;
import io.tamp.datapath.volume.EngineConfig;
import io.tamp.datapath.volume.IoStatus;
import io.tamp.datapath.volume.Volume;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Random small writes straight into the engine from many threads, no frontend: what a target's
 * worker pool asks of it. Fills a 1 GiB region first, then overwrites random 4 KiB blocks with
 * incompressible unique data for the given time and prints writes/s.
 *
 * <pre>java $TAMP_FLAGS -cp perf/target/benchmarks.jar io.tamp.perf.load.EngineRandomWrite [threads] [seconds]</pre>
 */
public final class EngineRandomWrite {
    private EngineRandomWrite() {
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        int blockSize = args.length > 2 ? Integer.parseInt(args[2]) : 4096;
        Path dir = Files.createTempDirectory("tamp-randwrite");
        EngineConfig d = EngineConfig.defaults(dir);
        EngineConfig c = new EngineConfig(dir, 2, 8 * EngineConfig.GiB, d.segmentBytes(), 4_000_000, true, 1000,
                d.drainBlocksPerTick(), d.inlineUnmapBlocks());
        long region = 1L << 30;
        try (Engine e = Engine.open(c)) {
            Volume v = e.createVolume("bench", 4L << 30);
            byte[] chunk = new byte[1 << 20];
            SplittableRandom fill = new SplittableRandom(1);
            for (long off = 0; off < region; off += chunk.length) {
                fill.nextBytes(chunk);
                check(v.write(off, chunk, false));
            }
            AtomicLong writes = new AtomicLong();
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            Thread[] ts = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                long seed = 100 + t;
                ts[t] = new Thread(() -> {
                    SplittableRandom r = new SplittableRandom(seed);
                    byte[] block = new byte[blockSize];
                    while (System.nanoTime() < end) {
                        r.nextBytes(block);
                        long off = r.nextLong(region / blockSize) * blockSize;
                        check(v.write(off, block, false));
                        writes.incrementAndGet();
                    }
                });
                ts[t].start();
            }
            for (Thread t : ts) {
                t.join();
            }
            System.out.printf("engine random %d-byte writes, %d threads: %.0f writes/s%n", blockSize, threads,
                    writes.get() / (double) seconds);
        } finally {
            deleteTree(dir); // 2+ GiB of device files per run
        }
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void check(IoStatus s) {
        if (!s.ok()) {
            throw new IllegalStateException(s.toString());
        }
    }
}
