package io.tamp.datapath.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tamp.datapath.fsck.Fsck;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineTest {
    static final int B = Volume.BLOCK;

    @TempDir
    Path dir;

    static byte[] randomBlocks(long seed, int blocks) {
        byte[] b = new byte[blocks * B];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** Half random, half text-like: LZ4 compresses it about 2:1. */
    static byte[] compressibleBlocks(long seed, int blocks) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] b = new byte[blocks * B];
        for (int i = 0; i < b.length; i++) {
            b[i] = (i / 64) % 2 == 0 ? (byte) r.nextInt(256) : (byte) ('a' + (i % 7));
        }
        return b;
    }

    Engine open() throws Exception {
        return Engine.open(EngineConfig.small(dir, 2, 64L << 20));
    }

    static void assertClean(Engine e) {
        Fsck.Result r = Fsck.check(e);
        assertTrue(r.ok(), "fsck: " + r.violations());
    }

    @Test
    void writeReadAcrossReopen() throws Exception {
        byte[] data = compressibleBlocks(1, 40);
        try (Engine e = open()) {
            Volume v = e.createVolume("a", 1 << 20);
            assertEquals(IoStatus.OK, v.write(8192, data, false));
            byte[] back = new byte[data.length];
            assertEquals(IoStatus.OK, v.read(8192, back));
            assertArrayEquals(data, back);
            assertClean(e);
        }
        try (Engine e = open()) {
            Volume v = e.volume("a");
            byte[] back = new byte[data.length];
            assertEquals(IoStatus.OK, v.read(8192, back));
            assertArrayEquals(data, back);
            assertEquals(40, v.mappedBlocks());
            assertClean(e);
        }
    }

    @Test
    void volumeAttributesAreDurableAndGoWithTheVolume() throws Exception {
        try (Engine e = open()) {
            Volume v = e.createVolume("a", 1 << 20);
            Volume w = e.createVolume("b", 1 << 20);
            v.attribute("scsi.pr", new byte[] {1, 2, 3});
            w.attribute("scsi.pr", new byte[] {9});
        }
        try (Engine e = open()) {
            Volume v = e.volume("a");
            assertArrayEquals(new byte[] {1, 2, 3}, v.attribute("scsi.pr"));
            e.deleteVolume(v);
            assertArrayEquals(new byte[] {9}, e.volume("b").attribute("scsi.pr"), "another volume's stays");
            e.volume("b").attribute("scsi.pr", null);
            assertNull(e.volume("b").attribute("scsi.pr"));
            int left = 0;
            try (org.rocksdb.RocksIterator it = e.metadata().iterator(io.tamp.metadata.store.MetadataStore.Map.META)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    left += new String(it.key(), java.nio.charset.StandardCharsets.UTF_8).startsWith("volattr.") ? 1 : 0;
                }
            }
            assertEquals(0, left, "a deleted volume's attributes are deleted with it");
        }
    }

    @Test
    void renameIsDurableAndRefusesATakenName() throws Exception {
        long id;
        try (Engine e = open()) {
            Volume v = e.createVolume("a", 1 << 20);
            e.createVolume("b", 1 << 20);
            id = v.id();
            assertThrows(IllegalArgumentException.class, () -> e.renameVolume(v, "b"));
            assertThrows(IllegalArgumentException.class, () -> e.renameVolume(v, " "));
            e.renameVolume(v, "c");
            assertNull(e.volume("a"));
            assertEquals(v, e.volume("c"));
            assertEquals(v, e.volume(id));
        }
        try (Engine e = open()) {
            assertNull(e.volume("a"));
            assertEquals(id, e.volume("c").id());
            e.deleteVolume(e.volume("c"));
            assertNull(e.volume(id), "a deleted volume is not found by id");
        }
    }

    @Test
    void controllerRecordsAreDurableAndAtomic() throws Exception {
        try (Engine e = open()) {
            java.util.Map<String, byte[]> m = new java.util.LinkedHashMap<>();
            m.put("host.1", new byte[] {1});
            m.put("host.2", new byte[] {2});
            m.put("user.admin", new byte[] {3});
            e.putControllerRecords(m);
        }
        try (Engine e = open()) {
            var hosts = e.controllerRecords("host.");
            assertEquals(java.util.List.of("host.1", "host.2"), java.util.List.copyOf(hosts.keySet()));
            assertArrayEquals(new byte[] {2}, hosts.get("host.2"));
            java.util.Map<String, byte[]> m = new java.util.HashMap<>();
            m.put("host.1", null);
            e.putControllerRecords(m);
            assertEquals(java.util.List.of("host.2"), java.util.List.copyOf(e.controllerRecords("host.").keySet()));
            assertEquals(1, e.controllerRecords("user.").size());
        }
    }

    @Test
    void duplicateBlocksAreStoredOnce() throws Exception {
        byte[] data = compressibleBlocks(2, 16);
        try (Engine e = open()) {
            Volume a = e.createVolume("a", 1 << 20);
            Volume b = e.createVolume("b", 1 << 20);
            a.write(0, data, false);
            b.write(65536, data, false);
            a.write(data.length, data, false);
            SpaceReport s = e.space();
            assertEquals(16, s.uniqueBlocks());
            assertEquals(48L * B, s.logicalUsed());
            assertEquals(3.0, s.dedupRatio(), 1e-9);
            assertTrue(s.compressionRatio() > 1.5, "compression ratio " + s.compressionRatio());
            assertEquals(s.dedupRatio() * s.compressionRatio(), s.dataReductionRatio(), 1e-9);
            assertClean(e);
        }
    }

    @Test
    void zeroBlocksTakeNoSpaceAndReadAsZero() throws Exception {
        try (Engine e = open()) {
            Volume v = e.createVolume("z", 1 << 20);
            v.write(0, new byte[10 * B], false);
            assertEquals(0, e.space().uniqueBlocks());
            assertEquals(0, e.space().logicalUsed());
            byte[] back = new byte[10 * B];
            back[5] = 1;
            v.read(0, back);
            assertArrayEquals(new byte[10 * B], back);
            assertClean(e);
        }
    }

    @Test
    void partialBlockWriteIsReadModifyWrite() throws Exception {
        byte[] base = randomBlocks(3, 3);
        byte[] patch = randomBlocks(4, 1);
        try (Engine e = open()) {
            Volume v = e.createVolume("p", 1 << 20);
            v.write(0, base, false);
            byte[] sectors = java.util.Arrays.copyOf(patch, 3 * 512);
            assertEquals(IoStatus.OK, v.write(B - 512, sectors, false)); // spans blocks 0 and 1
            System.arraycopy(sectors, 0, base, B - 512, sectors.length);
            byte[] back = new byte[base.length];
            v.read(0, back);
            assertArrayEquals(base, back);
            byte[] one = new byte[512];
            v.read(B + 512, one);
            assertArrayEquals(java.util.Arrays.copyOfRange(base, B + 512, B + 1024), one);
            assertClean(e);
        }
    }

    @Test
    void badRangesAreRefusedAndChangeNothing() throws Exception {
        try (Engine e = open()) {
            Volume v = e.createVolume("r", 1 << 20);
            assertEquals(IoStatus.OUT_OF_RANGE, v.write((1 << 20) - 512, new byte[1024], false));
            assertEquals(IoStatus.OUT_OF_RANGE, v.read(1 << 20, new byte[512]));
            assertEquals(IoStatus.MISALIGNED, v.write(100, new byte[512], false));
            assertEquals(IoStatus.MISALIGNED, v.write(0, new byte[100], false));
            assertEquals(IoStatus.MISALIGNED, v.read(-512, new byte[512]));
            assertEquals(IoStatus.OUT_OF_RANGE, v.unmap(0, 2 << 20));
            assertEquals(0, e.space().uniqueBlocks());
            assertThrows(IllegalArgumentException.class, () -> e.createVolume("bad", 1000));
            assertThrows(IllegalArgumentException.class, () -> e.createVolume("bad", -4096));
            assertThrows(IllegalArgumentException.class, () -> e.createVolume("r", 4096));
            assertThrows(IllegalArgumentException.class, () -> e.resizeVolume(v, 4096));
            assertClean(e);
        }
    }

    @Test
    void overwriteFreesOldExtentAndUnmapReadsZero() throws Exception {
        try (Engine e = open()) {
            Volume v = e.createVolume("o", 1 << 20);
            v.write(0, randomBlocks(5, 8), false);
            v.write(0, randomBlocks(6, 8), false);
            assertEquals(8, e.space().uniqueBlocks());
            assertEquals(IoStatus.OK, v.unmap(B, 2 * B + 512)); // blocks 1,2 whole, first sector of 3
            byte[] back = new byte[3 * B];
            v.read(B, back);
            byte[] expect = java.util.Arrays.copyOfRange(randomBlocks(6, 8), B, 4 * B);
            java.util.Arrays.fill(expect, 0, 2 * B + 512, (byte) 0);
            assertArrayEquals(expect, back);
            assertFalse(v.isMapped(1));
            assertTrue(v.isMapped(3));
            assertClean(e);
        }
    }

    @Test
    void largeUnmapIsDeferredButHiddenAtOnce() throws Exception {
        EngineConfig c = EngineConfig.small(dir, 2, 64L << 20).withInlineUnmapBlocks(16);
        try (Engine e = Engine.open(c)) {
            Volume v = e.createVolume("big", 4 << 20);
            byte[] data = randomBlocks(7, 256);
            v.write(0, data, false);
            assertEquals(IoStatus.OK, v.unmap(0, 4 << 20));
            byte[] back = new byte[data.length];
            v.read(0, back);
            assertArrayEquals(new byte[data.length], back);
            // a write inside the pending range after the unmap survives the drain
            byte[] late = randomBlocks(8, 1);
            v.write(10L * B, late, false);
            e.settle(true);
            byte[] one = new byte[B];
            v.read(10L * B, one);
            assertArrayEquals(late, one);
            assertEquals(1, e.space().uniqueBlocks());
            assertEquals(1, v.mappedBlocks());
            assertClean(e);
        }
    }

    @Test
    void deleteVolumeReleasesEverything() throws Exception {
        try (Engine e = open()) {
            Volume v = e.createVolume("d", 4 << 20);
            Volume keep = e.createVolume("k", 1 << 20);
            byte[] shared = randomBlocks(9, 4);
            v.write(0, randomBlocks(10, 100), false);
            v.write(1 << 20, shared, false);
            keep.write(0, shared, false);
            e.deleteVolume(v);
            assertEquals(IoStatus.NO_VOLUME, v.read(0, new byte[B]));
            assertEquals(null, e.volume("d"));
            e.settle(true);
            assertEquals(4, e.space().uniqueBlocks());
            byte[] back = new byte[shared.length];
            keep.read(0, back);
            assertArrayEquals(shared, back);
            Volume again = e.createVolume("d", B);
            assertEquals(IoStatus.OK, again.write(0, new byte[B], false));
            assertClean(e);
        }
    }

    @Test
    void cleanerReclaimsOverwrittenSpace() throws Exception {
        try (Engine e = open()) {
            Volume v = e.createVolume("c", 2 << 20);
            for (int round = 0; round < 6; round++) {
                v.write(0, randomBlocks(100 + round, 256), false);
            }
            SpaceReport before = e.space();
            assertTrue(before.physicalUsed() > 3 * before.uniqueDataPhysical());
            e.settle(true);
            SpaceReport after = e.space();
            assertTrue(after.physicalUsed() <= after.uniqueDataPhysical() * 1.15,
                    "physical " + after.physicalUsed() + " vs unique " + after.uniqueDataPhysical());
            byte[] back = new byte[256 * B];
            v.read(0, back);
            assertArrayEquals(randomBlocks(105, 256), back);
            assertClean(e);
        }
    }

    @Test
    void busyCleanerLeavesGarbageForIdleTimeWhileThePoolIsRoomy() throws Exception {
        try (Engine e = open()) {
            Volume v = e.createVolume("g", 2 << 20);
            byte[] first = randomBlocks(200, 256);
            v.write(0, first, false);
            for (int i = 0; i < 256; i++) {
                if (i % 4 != 0) { // three blocks in four die: the first segments end up a quarter live
                    v.write((long) i * B, randomBlocks(300 + i, 1), false);
                }
            }
            e.settle(false); // hosts writing, and nearly every segment free
            assertEquals(0, e.cleanerBytesMoved(), "moved live data with the pool nearly empty");
            e.settle(true); // idle: now it compacts
            assertTrue(e.cleanerBytesMoved() > 0);
            SpaceReport after = e.space();
            assertTrue(after.physicalUsed() <= after.uniqueDataPhysical() * 1.15,
                    "physical " + after.physicalUsed() + " vs unique " + after.uniqueDataPhysical());
            byte[] back = new byte[B];
            for (int i = 0; i < 256; i++) {
                v.read((long) i * B, back);
                byte[] want = i % 4 != 0 ? randomBlocks(300 + i, 1)
                        : java.util.Arrays.copyOfRange(first, i * B, (i + 1) * B);
                assertArrayEquals(want, back, "block " + i);
            }
            assertClean(e);
        }
    }

    @Test
    void fullPoolRefusesWritesThenRecoversAfterUnmap() throws Exception {
        // 2 devices x 2 MiB: (2 MiB - 1 MiB superblock area) / 64 KiB = 16 segments each
        try (Engine e = Engine.open(EngineConfig.small(dir, 2, 2L << 20))) {
            Volume v = e.createVolume("f", 8L << 20);
            byte[] chunk = randomBlocks(11, 16);
            long off = 0;
            IoStatus s;
            while ((s = v.write(off, chunk, false)) == IoStatus.OK) {
                chunk = randomBlocks(12 + off, 16);
                off += chunk.length;
            }
            assertEquals(IoStatus.NO_SPACE, s);
            long written = off;
            byte[] first = new byte[16 * B];
            assertEquals(IoStatus.OK, v.read(0, first));
            assertArrayEquals(randomBlocks(11, 16), first);
            assertClean(e);
            assertEquals(IoStatus.OK, v.unmap(0, written));
            e.settle(true);
            // refill the freed segments (reallocated after a failed roll) and read everything back
            for (long at = 0; at < written; at += 16L * B) {
                assertEquals(IoStatus.OK, v.write(at, compressibleBlocks(500 + at, 16), false), "at " + at);
            }
            assertEquals(IoStatus.OK, e.flush());
            for (long at = 0; at < written; at += 16L * B) {
                byte[] back = new byte[16 * B];
                assertEquals(IoStatus.OK, v.read(at, back), "at " + at);
                assertArrayEquals(compressibleBlocks(500 + at, 16), back, "at " + at);
            }
            assertClean(e);
        }
    }

    @Test
    void uncleanStopKeepsFlushedWrites() throws Exception {
        byte[] flushed = randomBlocks(20, 8);
        Engine e = open();
        Volume v = e.createVolume("u", 1 << 20);
        v.write(0, flushed, false);
        assertEquals(IoStatus.OK, e.flush());
        v.write(0, randomBlocks(21, 8), false); // never flushed: may or may not survive, either whole-block version
        e.abandon();
        try (Engine r = open()) {
            assertTrue(r.recoveredFromCrash());
            byte[] back = new byte[flushed.length];
            assertEquals(IoStatus.OK, r.volume("u").read(0, back));
            byte[] newer = randomBlocks(21, 8);
            for (int i = 0; i < 8; i++) {
                byte[] blk = java.util.Arrays.copyOfRange(back, i * B, (i + 1) * B);
                assertTrue(java.util.Arrays.equals(blk, java.util.Arrays.copyOfRange(flushed, i * B, (i + 1) * B))
                        || java.util.Arrays.equals(blk, java.util.Arrays.copyOfRange(newer, i * B, (i + 1) * B)));
            }
            assertClean(r);
        }
    }

    @Test
    void catalogChangesSurviveACrashWithoutAFlush() throws Exception {
        Engine e = open();
        Volume gone = e.createVolume("gone", 1 << 20);
        e.createVolume("grown", 1 << 20);
        e.resizeVolume(e.volume("grown"), 2 << 20);
        e.deleteVolume(gone);
        e.abandon();
        try (Engine r = open()) {
            assertEquals(2 << 20, r.volume("grown").sizeBytes());
            assertEquals(null, r.volume("gone"));
            assertClean(r);
        }
    }

    @Test
    void perVolumeSpaceSplitsSharedExtents() throws Exception {
        byte[] shared = compressibleBlocks(30, 8);
        byte[] own = randomBlocks(31, 4);
        try (Engine e = open()) {
            Volume a = e.createVolume("a", 1 << 20);
            Volume b = e.createVolume("b", 1 << 20);
            a.write(0, shared, false);
            a.write(shared.length, shared, false); // a holds the shared blocks twice
            a.write(2L * shared.length, own, false);
            b.write(0, shared, false);
            VolumeSpace sa = e.volumeSpace(a);
            VolumeSpace sb = e.volumeSpace(b);
            SpaceReport pool = e.space();
            assertEquals(20L * B, sa.logicalUsed());
            assertEquals(12, sa.uniqueBlocks());
            assertEquals(8, sb.uniqueBlocks());
            assertEquals(4L * B, sa.exclusivePhysical(), "random blocks are stored raw and only a holds them");
            assertEquals(0, sb.exclusivePhysical());
            assertEquals(pool.uniqueDataPhysical(), sa.attributedPhysical() + sb.attributedPhysical(), 1e-6);
            assertEquals(20.0 / 12, sa.dedupRatio(), 1e-9);
        }
    }

    @Test
    void concurrentWritersOfSharedContentKeepRefcountsExact() throws Exception {
        int threads = 4;
        try (Engine e = open()) {
            Volume v = e.createVolume("c", 8L << 20);
            byte[] shared = compressibleBlocks(40, 160); // same content from every thread (a dedup race), pipelined commits
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
            try {
                java.util.List<java.util.concurrent.Future<IoStatus>> results = new java.util.ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    long base = (long) t * (2 << 20);
                    int seed = t;
                    results.add(pool.submit(() -> {
                        IoStatus s = v.write(base, shared, false);
                        // sector-granular rewrites of the thread's own region, racing the other threads
                        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
                        for (int i = 0; i < 50 && s.ok(); i++) {
                            byte[] sectors = new byte[512 * (1 + r.nextInt(8))];
                            r.nextBytes(sectors);
                            long off = base + 512L * r.nextInt((shared.length - sectors.length) / 512);
                            s = v.write(off, sectors, false);
                            System.arraycopy(sectors, 0, expectedFor(seed, shared), (int) (off - base), sectors.length);
                        }
                        return s;
                    }));
                }
                for (var f : results) {
                    assertEquals(IoStatus.OK, f.get());
                }
            } finally {
                pool.shutdown();
            }
            for (int t = 0; t < threads; t++) {
                byte[] back = new byte[shared.length];
                assertEquals(IoStatus.OK, v.read((long) t * (2 << 20), back));
                assertArrayEquals(expectedFor(t, shared), back, "region of thread " + t);
            }
            assertClean(e);
        }
    }

    private final java.util.Map<Integer, byte[]> expected = new java.util.concurrent.ConcurrentHashMap<>();

    private byte[] expectedFor(int thread, byte[] initial) {
        return expected.computeIfAbsent(thread, t -> initial.clone());
    }

    @Test
    void readsOfFreshlyWrittenRunsNeverSeeBytesStillInFlight() throws Exception {
        // segment tails go to the device asynchronously; multi-block reads fetch runs of extents from
        // the device in one I/O: a run read must never serve bytes whose write had not landed yet
        try (Engine e = Engine.open(EngineConfig.small(dir, 2, 256L << 20).withSegmentBytes(4 << 20))) {
            Volume v = e.createVolume("race", 32L << 20);
            int blocks = (32 << 20) / B;
            java.util.concurrent.atomic.AtomicInteger written = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicReference<String> failure = new java.util.concurrent.atomic.AtomicReference<>();
            Thread writer = new Thread(() -> {
                for (int at = 0; at + 8 <= blocks && failure.get() == null; at += 8) {
                    IoStatus st = v.write((long) at * B, compressibleBlocks(at, 8), false);
                    if (!st.ok()) {
                        failure.set("write at block " + at + ": " + st);
                    }
                    written.set(at + 8);
                }
            });
            writer.start();
            java.util.SplittableRandom r = new java.util.SplittableRandom(7);
            byte[] got = new byte[16 * B];
            while (writer.isAlive() && failure.get() == null) {
                int done = written.get();
                if (done < 16) {
                    continue;
                }
                int first = Math.max(0, done - 16 - r.nextInt(Math.min(done - 15, 2048))) & ~7;
                IoStatus st = v.read((long) first * B, got);
                if (!st.ok()) {
                    failure.set("read at block " + first + ": " + st);
                    break;
                }
                byte[] want = new byte[16 * B];
                System.arraycopy(compressibleBlocks(first, 8), 0, want, 0, 8 * B);
                System.arraycopy(compressibleBlocks(first + 8, 8), 0, want, 8 * B, 8 * B);
                if (!java.util.Arrays.equals(got, want)) {
                    failure.set("read at block " + first + " returned other bytes");
                }
            }
            writer.join();
            assertEquals(null, failure.get());
        }
    }
}
