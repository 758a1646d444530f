package io.tamp.datapath.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tamp.datapath.fsck.Fsck;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many writers at once: their groups are committed together (group commit). Every write must
 * read back, shared content must deduplicate across writers in the same batch, refcounts and
 * accounting must agree with fsck — before and after a reopen.
 */
class GroupCommitTest {
    private static final int THREADS = 8;
    private static final int WRITES = 300;
    private static final int BLOCK = 4096;

    @TempDir
    Path dir;

    /** Block content: half the writes use one of 16 shared contents, the rest are unique. */
    private static byte[] content(int thread, int i) {
        byte[] b = new byte[BLOCK];
        long seed = i % 2 == 0 ? 1000 + (i % 32) : (long) thread * 100_000 + i;
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void concurrentWritersShareCommitsAndStayConsistent() throws Exception {
        try (Engine e = Engine.open(EngineConfig.small(dir, 2, 256L << 20))) {
            Volume a = e.createVolume("a", 64L << 20);
            Volume b = e.createVolume("b", 64L << 20);
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    Volume v = thread % 2 == 0 ? a : b;
                    for (int i = 0; i < WRITES; i++) {
                        long lba = (long) (thread / 2) * WRITES + i;
                        IoStatus s = v.write(lba * BLOCK, content(thread, i), i % 50 == 0);
                        assertEquals(IoStatus.OK, s);
                    }
                    // overwrite the first tenth: old extents lose references inside shared batches
                    for (int i = 0; i < WRITES / 10; i++) {
                        long lba = (long) (thread / 2) * WRITES + i;
                        assertEquals(IoStatus.OK, v.write(lba * BLOCK, content(thread, i + 1), false));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
            check(e, a, b);
        }
        try (Engine e = Engine.open(EngineConfig.small(dir, 2, 256L << 20))) {
            check(e, e.volume("a"), e.volume("b"));
        }
    }

    private static void check(Engine e, Volume a, Volume b) {
        for (int t = 0; t < THREADS; t++) {
            Volume v = t % 2 == 0 ? a : b;
            for (int i = 0; i < WRITES; i++) {
                long lba = (long) (t / 2) * WRITES + i;
                byte[] back = new byte[BLOCK];
                assertEquals(IoStatus.OK, v.read(lba * BLOCK, back));
                assertArrayEquals(content(t, i < WRITES / 10 ? i + 1 : i), back, "thread " + t + " block " + i);
            }
        }
        Fsck.Result r = Fsck.check(e);
        assertTrue(r.ok(), r.violations().toString());
        assertTrue(e.space().dedupRatio() > 1.3, "shared contents deduplicated: " + e.space());
    }
}
