package io.tamp.datapath.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tamp.datapath.fsck.Fsck;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Write-behind: a large write is acknowledged once its last sub-batch is queued for commit. The
 * tests hold that commit back at the engine's seam and check that nothing can see the volume
 * without it — reads from other threads, flush, snapshots — and that a thread's next writes do
 * not overwrite the reductions the held commit still reads.
 */
class WriteBehindTest {
    private static final int BLOCK = Volume.BLOCK;
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    private static byte[] random(long seed, int bytes) {
        byte[] b = new byte[bytes];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Holds every write-behind commit until {@link #open} is called, and counts them. */
    private static final class Gate implements Runnable {
        final CountDownLatch opened = new CountDownLatch(1);
        final CountDownLatch held = new CountDownLatch(1);
        final AtomicInteger commits = new AtomicInteger();

        @Override
        public void run() {
            commits.incrementAndGet();
            held.countDown();
            try {
                opened.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void open() {
            opened.countDown();
        }

        /**
         * Writes data at offset 0 of v from another thread with the gate closed. The write must be
         * acknowledged while its last sub-batch is held: one that waited for it would hang here.
         */
        void holdWrite(Engine e, Volume v, byte[] data, ExecutorService others) throws Exception {
            e.beforeWriteBehind = this;
            assertEquals(IoStatus.OK, others.submit(() -> v.write(0, data, false)).get(30, TimeUnit.SECONDS));
            assertTrue(held.await(30, TimeUnit.SECONDS));
            assertEquals(1, e.writeBehindQueued.get());
        }
    }

    @Test
    void readsFlushAndSnapshotsWaitForTheHeldLastSubBatch() throws Exception {
        ExecutorService others = Executors.newFixedThreadPool(3);
        try (Engine e = Engine.open(EngineConfig.small(dir, 2, 64L << 20))) {
            Volume v = e.createVolume("v", 16L * MIB);
            Gate gate = new Gate();
            byte[] data = random(1, MIB);
            gate.holdWrite(e, v, data, others);

            Future<byte[]> read = others.submit(() -> {
                byte[] back = new byte[MIB];
                assertEquals(IoStatus.OK, v.read(0, back));
                return back;
            });
            Future<IoStatus> flush = others.submit(v::flush);
            Future<Volume> snapshot = others.submit(() -> e.createSnapshot(v, "s"));
            Thread.sleep(200);
            assertFalse(read.isDone() || flush.isDone() || snapshot.isDone(),
                    "a read, flush or snapshot finished while an acknowledged write was not committed");
            gate.open();
            assertArrayEquals(data, read.get(30, TimeUnit.SECONDS));
            assertEquals(IoStatus.OK, flush.get(30, TimeUnit.SECONDS));
            byte[] inSnapshot = new byte[MIB];
            assertEquals(IoStatus.OK, snapshot.get(30, TimeUnit.SECONDS).read(0, inSnapshot));
            assertArrayEquals(data, inSnapshot);
            assertEquals(0, e.writeBehindQueued.get());
            assertEquals(1, gate.commits.get());
            assertTrue(Fsck.check(e).ok());
        } finally {
            others.shutdownNow();
        }
    }

    @Test
    void anOverwriteFromAnotherThreadLandsAfterTheHeldCommit() throws Exception {
        ExecutorService others = Executors.newFixedThreadPool(2);
        try (Engine e = Engine.open(EngineConfig.small(dir, 2, 64L << 20))) {
            Volume v = e.createVolume("v", 16L * MIB);
            Volume w = e.createVolume("w", 16L * MIB);
            Gate gate = new Gate();
            byte[] first = random(2, MIB);
            gate.holdWrite(e, v, first, others);
            // a small write into the held sub-batch's blocks must land after it, not under it
            byte[] small = random(3, 3 * BLOCK);
            Future<IoStatus> smallWrite = others.submit(() -> v.write(200L * BLOCK, small, false));
            // another volume's small writes do not wait for it
            byte[] elsewhere = random(4, 2 * BLOCK);
            assertEquals(IoStatus.OK, w.write(0, elsewhere, false));
            Thread.sleep(100);
            assertFalse(smallWrite.isDone(), "a write into held blocks went ahead of their commit");
            gate.open();
            assertEquals(IoStatus.OK, smallWrite.get(30, TimeUnit.SECONDS));
            byte[] expected = first.clone();
            System.arraycopy(small, 0, expected, 200 * BLOCK, small.length);
            byte[] back = new byte[MIB];
            assertEquals(IoStatus.OK, v.read(0, back));
            assertArrayEquals(expected, back);
            byte[] backW = new byte[elsewhere.length];
            assertEquals(IoStatus.OK, w.read(0, backW));
            assertArrayEquals(elsewhere, backW);
            assertTrue(Fsck.check(e).ok());
        } finally {
            others.shutdownNow();
        }
    }

    /**
     * One thread writes a seeded mix of large, mid-sized and small writes over two volumes while
     * every write-behind commit is slowed down, so the thread's next write reduces while the last
     * one's tail still commits from the same scratch buffers. Every block must read back as the
     * model says, before and after a reopen, and fsck must pass.
     */
    @Test
    void aThreadsNextWritesLeaveItsHeldReductionsAlone() throws Exception {
        int volumeBlocks = 4096;
        byte[][] model = {new byte[volumeBlocks * BLOCK], new byte[volumeBlocks * BLOCK]};
        AtomicInteger behind = new AtomicInteger();
        try (Engine e = Engine.open(EngineConfig.small(dir, 2, 128L << 20))) {
            Volume[] vols = {e.createVolume("a", (long) volumeBlocks * BLOCK),
                    e.createVolume("b", (long) volumeBlocks * BLOCK)};
            e.beforeWriteBehind = () -> {
                behind.incrementAndGet();
                java.util.concurrent.locks.LockSupport.parkNanos(3_000_000);
            };
            SplittableRandom r = new SplittableRandom(42);
            int[] sizes = {1, 12, 100, 127, 128, 129, 200, 256, 300, 640};
            for (int i = 0; i < 120; i++) {
                int vol = r.nextInt(2);
                int blocks = sizes[r.nextInt(sizes.length)];
                long lba = r.nextInt(volumeBlocks - blocks + 1);
                byte[] data = new byte[blocks * BLOCK];
                for (int b = 0; b < blocks; b++) {
                    long content = r.nextInt(4) == 0 ? r.nextInt(8) : r.nextLong(); // some dedup
                    byte[] one = random(content, BLOCK);
                    System.arraycopy(one, 0, data, b * BLOCK, BLOCK);
                }
                assertEquals(IoStatus.OK, vols[vol].write(lba * BLOCK, data, false), "write " + i);
                System.arraycopy(data, 0, model[vol], (int) (lba * BLOCK), data.length);
            }
            assertTrue(behind.get() > 10, "only " + behind.get() + " write-behind commits");
            e.beforeWriteBehind = null;
            check(vols, model);
            assertTrue(Fsck.check(e).ok());
        }
        try (Engine e = Engine.open(EngineConfig.small(dir, 2, 128L << 20))) {
            check(new Volume[] {e.volume("a"), e.volume("b")}, model);
            assertTrue(Fsck.check(e).ok());
        }
    }

    private static void check(Volume[] vols, byte[][] model) {
        for (int v = 0; v < vols.length; v++) {
            byte[] back = new byte[model[v].length];
            assertEquals(IoStatus.OK, vols[v].read(0, back));
            for (int b = 0; b < back.length / BLOCK; b++) {
                if (!java.util.Arrays.equals(back, b * BLOCK, (b + 1) * BLOCK, model[v], b * BLOCK, (b + 1) * BLOCK)) {
                    throw new AssertionError("volume " + v + " block " + b + " differs from the model");
                }
            }
        }
    }

    @Test
    void aPoolLessThanAQuarterFreeCommitsBeforeAcknowledging() throws Exception {
        try (Engine e = Engine.open(EngineConfig.small(dir, 1, 16L << 20))) {
            Volume v = e.createVolume("v", 64L * MIB);
            AtomicInteger behind = new AtomicInteger();
            e.beforeWriteBehind = behind::incrementAndGet;
            List<byte[]> written = new ArrayList<>();
            long off = 0;
            // incompressible data until fewer than a quarter of the segments are free
            while (e.segments.freeCount() >= e.segments.segmentCount() / 4) {
                byte[] data = random(100 + written.size(), MIB);
                assertEquals(IoStatus.OK, v.write(off, data, false));
                written.add(data);
                off += MIB;
            }
            int before = behind.get();
            byte[] data = random(99, MIB);
            assertEquals(IoStatus.OK, v.write(off, data, false));
            assertEquals(before, behind.get(), "a write-behind commit in a pool less than a quarter free");
            assertEquals(0, e.writeBehindQueued.get());
            assertTrue(before > 0, "no write-behind while the pool was roomy");
            byte[] back = new byte[MIB];
            assertEquals(IoStatus.OK, v.read(off, back));
            assertArrayEquals(data, back);
        }
    }
}
