package io.tamp.datapath.volume;

import static io.tamp.datapath.volume.EngineTest.assertClean;
import static io.tamp.datapath.volume.EngineTest.compressibleBlocks;
import static io.tamp.datapath.volume.EngineTest.randomBlocks;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tamp.datapath.fsck.Fsck;
import io.tamp.metadata.store.Batch;
import io.tamp.metadata.store.Keys;
import io.tamp.metadata.store.MetadataStore.Map;
import io.tamp.metadata.store.VolumeRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksIterator;

class SnapshotTest {
    static final int B = Volume.BLOCK;

    @TempDir
    Path dir;

    Engine open() throws Exception {
        return Engine.open(EngineConfig.small(dir, 2, 64L << 20));
    }

    static byte[] read(Volume v, long offset, int length) {
        byte[] out = new byte[length];
        assertEquals(IoStatus.OK, v.read(offset, out));
        return out;
    }

    /** Block-map entries stored under a volume id, hidden or not. */
    static long entries(Engine e, long volumeId) {
        long n = 0;
        try (RocksIterator it = e.metadata().iterator(Map.BLOCKMAP)) {
            for (it.seek(Keys.blockKey(volumeId, 0)); it.isValid() && Keys.getLong(it.key(), 0) == volumeId; it.next()) {
                n++;
            }
        }
        return n;
    }

    static List<VolumeRecord> catalog(Engine e) {
        List<VolumeRecord> out = new ArrayList<>();
        try (RocksIterator it = e.metadata().iterator(Map.VOLUMES)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                out.add(VolumeRecord.decode(Keys.getLong(it.key(), 0), it.value()));
            }
        }
        return out;
    }

    @Test
    void snapshotKeepsThePointInTimeWhileTheSourceMovesOn() throws Exception {
        byte[] before = compressibleBlocks(1, 200);
        Arrays.fill(before, 7 * B, 9 * B, (byte) 0); // two blocks written as zeros
        byte[] after = before.clone();
        try (Engine e = open()) {
            e.snapshotCopy.batchEntries = 16; // 198 mapped blocks: thirteen batches
            Volume v = e.createVolume("src", 1 << 20);
            assertEquals(IoStatus.OK, v.write(0, before, false));
            Volume s = e.createSnapshot(v, "s1");
            assertTrue(s.isSnapshot());
            assertFalse(v.isSnapshot());
            assertEquals(v.id(), s.sourceId());
            assertEquals(-1, v.sourceId());
            assertEquals(v.sizeBytes(), s.sizeBytes());
            assertEquals(198, s.mappedBlocks());
            // the source moves on: whole-block and partial overwrites, an unmap, zeros
            byte[] fresh = randomBlocks(2, 50);
            assertEquals(IoStatus.OK, v.write(10L * B, fresh, false));
            System.arraycopy(fresh, 0, after, 10 * B, fresh.length);
            byte[] sectors = randomBlocks(3, 1);
            assertEquals(IoStatus.OK, v.write(B + 1024, Arrays.copyOf(sectors, 1024), false));
            System.arraycopy(sectors, 0, after, B + 1024, 1024);
            assertEquals(IoStatus.OK, v.unmap(100L * B, 20L * B));
            Arrays.fill(after, 100 * B, 120 * B, (byte) 0);
            assertEquals(IoStatus.OK, v.writeZeroes(150L * B, 5L * B, false));
            Arrays.fill(after, 150 * B, 155 * B, (byte) 0);
            assertEquals(IoStatus.OK, v.write(200L * B, fresh, false)); // past what the snapshot maps
            assertArrayEquals(before, read(s, 0, before.length));
            assertArrayEquals(new byte[fresh.length], read(s, 200L * B, fresh.length));
            assertArrayEquals(after, read(v, 0, after.length));
            assertArrayEquals(fresh, read(v, 200L * B, fresh.length));
            assertClean(e);
            e.settle(true); // the cleaner moves extents the snapshot shares: it must still read the same
            assertArrayEquals(before, read(s, 0, before.length));
            assertClean(e);
        }
    }

    @Test
    void pollersMayReuseTheSnapshotWalkButNotAcrossSnapshotChanges() throws Exception {
        try (Engine e = open()) {
            Volume v = e.createVolume("src", 1 << 20);
            v.write(0, compressibleBlocks(6, 32), false);
            e.createSnapshot(v, "s1");
            assertEquals(0, e.space(60_000).snapshotPhysical());
            v.write(0, randomBlocks(7, 16), false); // 16 old blocks now belong to the snapshot alone
            assertEquals(0, e.space(60_000).snapshotPhysical(), "a young result is reused for the same snapshots");
            long exact = e.space().snapshotPhysical();
            assertTrue(exact > 0, "space() always walks");
            assertEquals(exact, e.space(60_000).snapshotPhysical(), "and refreshes what pollers see");
            v.write(16 * B, randomBlocks(8, 16), false);
            Volume s2 = e.createSnapshot(v, "s2");
            assertTrue(e.space(60_000).snapshotPhysical() > exact, "a new snapshot set is walked at once");
            e.deleteVolume(s2);
            assertEquals(e.space().snapshotPhysical(), e.space(60_000).snapshotPhysical());
        }
    }

    @Test
    void snapshotSharesExtentsAndIsCountedApart() throws Exception {
        byte[] data = compressibleBlocks(4, 64);
        try (Engine e = open()) {
            Volume v = e.createVolume("src", 1 << 20);
            v.write(0, data, false);
            SpaceReport before = e.space();
            Volume s = e.createSnapshot(v, "s1");
            SpaceReport after = e.space();
            assertEquals(before.uniqueBlocks(), after.uniqueBlocks(), "no data is copied");
            assertEquals(before.uniqueDataPhysical(), after.uniqueDataPhysical());
            assertEquals(before.physicalUsed(), after.physicalUsed());
            assertEquals(before.logicalUsed(), after.logicalUsed(), "volume figures leave snapshots out");
            assertEquals(before.logicalProvisioned(), after.logicalProvisioned());
            assertEquals(0, before.snapshotLogical());
            assertEquals(64L * B, after.snapshotLogical());
            assertEquals(0, after.snapshotPhysical(), "every extent is still the source's too");
            assertEquals(64L * B, after.snapshotSavings());
            assertEquals((double) ((1 << 20) + 64L * B) / after.physicalUsed(), after.efficiencyRatio(), 1e-9);
            assertEquals((double) (1 << 20) / before.physicalUsed(), before.efficiencyRatio(), 1e-9);
            // overwrite half the source: those old extents now belong to the snapshot alone
            v.write(0, randomBlocks(5, 32), false);
            SpaceReport diverged = e.space();
            VolumeSpace ss = e.volumeSpace(s);
            assertEquals("s1", ss.name());
            assertEquals(64L * B, ss.logicalUsed());
            assertEquals(64, ss.uniqueBlocks());
            assertTrue(ss.exclusivePhysical() > 0 && ss.exclusivePhysical() < 32L * B,
                    "compressed old blocks only the snapshot holds: " + ss.exclusivePhysical());
            assertEquals(ss.exclusivePhysical(), diverged.snapshotPhysical(), "one snapshot: its exclusive bytes");
            assertEquals(64L * B - diverged.snapshotPhysical(), diverged.snapshotSavings());
            assertEquals(before.uniqueBlocks() + 32, diverged.uniqueBlocks());
            // a second snapshot shares v's extents: nothing new is held by snapshots alone
            Volume s2 = e.createSnapshot(v, "s2");
            SpaceReport two = e.space();
            assertEquals(128L * B, two.snapshotLogical());
            assertEquals(diverged.snapshotPhysical(), two.snapshotPhysical());
            assertEquals(0, e.volumeSpace(s2).exclusivePhysical());
            // v moves on twice: s2's new blocks become s2's alone, the old upper half s's and s2's together
            v.write(0, randomBlocks(6, 32), false);
            v.write(32L * B, randomBlocks(7, 32), false);
            SpaceReport moved = e.space();
            VolumeSpace s1Space = e.volumeSpace(s);
            assertEquals(ss.exclusivePhysical(), s1Space.exclusivePhysical(), "the upper half is shared with s2");
            assertEquals(32L * B, e.volumeSpace(s2).exclusivePhysical());
            assertEquals(s1Space.uniqueDataPhysical() + 32L * B, moved.snapshotPhysical(),
                    "all of s's blocks and s2's lower half are held by snapshots only, each counted once");
            assertEquals(128L * B - moved.snapshotPhysical(), moved.snapshotSavings());
            assertClean(e);
        }
    }

    @Test
    void writesToASnapshotAreRefusedAndChangeNothing() throws Exception {
        byte[] data = randomBlocks(6, 8);
        try (Engine e = open()) {
            Volume v = e.createVolume("src", 1 << 20);
            v.write(0, data, false);
            Volume s = e.createSnapshot(v, "ro");
            SpaceReport before = e.space();
            assertEquals(IoStatus.READ_ONLY, s.write(0, randomBlocks(7, 1), false));
            assertEquals(IoStatus.READ_ONLY, s.write(512, new byte[512], true));
            assertEquals(IoStatus.READ_ONLY, s.writeZeroes(0, 4L * B, false));
            assertEquals(IoStatus.READ_ONLY, s.writeZeroes(0, 4L * B, true));
            assertEquals(IoStatus.READ_ONLY, s.unmap(0, 1 << 20));
            assertEquals(IoStatus.READ_ONLY, s.unmap(0, 512));
            assertEquals(IoStatus.OK, s.flush());
            assertArrayEquals(data, read(s, 0, data.length));
            assertArrayEquals(data, read(v, 0, data.length));
            SpaceReport after = e.space();
            assertEquals(before.uniqueBlocks(), after.uniqueBlocks());
            assertEquals(before.snapshotLogical(), after.snapshotLogical());
            assertEquals(8, s.mappedBlocks());
            IllegalArgumentException resize = assertThrows(IllegalArgumentException.class,
                    () -> e.resizeVolume(s, 2 << 20));
            assertEquals("snapshots cannot be resized", resize.getMessage());
            assertEquals(1 << 20, s.sizeBytes());
            assertThrows(IllegalArgumentException.class, () -> e.createSnapshot(s, "of-a-snapshot"));
            assertClean(e);
        }
    }

    @Test
    void snapshotNamesAreTheirSourcesOwnAndStayOutOfVolumeLookups() throws Exception {
        try (Engine e = open()) {
            Volume a = e.createVolume("a", 1 << 20);
            Volume b = e.createVolume("b", 1 << 20);
            Volume a1 = e.createSnapshot(a, "daily");
            Volume b1 = e.createSnapshot(b, "daily"); // another source's namespace
            Volume a2 = e.createSnapshot(a, "b"); // a volume's name is fine for a snapshot
            assertThrows(IllegalArgumentException.class, () -> e.createSnapshot(a, "daily"));
            assertThrows(IllegalArgumentException.class, () -> e.createSnapshot(a, ""));
            assertEquals(List.of(a, b), e.volumes());
            assertEquals(b, e.volume("b"));
            assertNull(e.volume("daily"));
            assertNull(e.volume(a1.id()), "volume(id) finds volumes only");
            assertEquals(a1, e.snapshot(a1.id()));
            assertNull(e.snapshot(a.id()), "snapshot(id) finds snapshots only");
            assertEquals(List.of(a1, a2), e.snapshots(a));
            assertEquals(List.of(b1), e.snapshots(b));
            assertEquals(List.of(), e.snapshots(a1));
            assertEquals(a1, e.snapshot(a, "daily"));
            assertEquals(b1, e.snapshot(b, "daily"));
            assertNull(e.snapshot(b, "b"));
            // rename: unique among the source's snapshots only
            assertThrows(IllegalArgumentException.class, () -> e.renameVolume(a2, "daily"));
            e.renameVolume(b1, "b"); // b's own snapshot may take its volume's name
            e.renameVolume(a2, "weekly");
            assertEquals(a2, e.snapshot(a, "weekly"));
            assertNull(e.snapshot(a, "b"));
            assertEquals(b, e.volume("b"), "renaming snapshots leaves volume names alone");
            e.renameVolume(a, "a-renamed");
            assertEquals(List.of(a1, a2), e.snapshots(a), "snapshots follow their source by id");
            assertEquals(2, e.volumes().size());
        }
        try (Engine e = open()) {
            Volume a = e.volume("a-renamed");
            assertEquals(List.of("daily", "weekly"), e.snapshots(a).stream().map(Volume::name).toList());
            assertEquals("b", e.snapshots(e.volume("b")).get(0).name());
            assertEquals(2, e.volumes().size());
        }
    }

    @Test
    void snapshotsSurviveACleanReopenAndACrash() throws Exception {
        byte[] first = compressibleBlocks(8, 40);
        byte[] second = randomBlocks(9, 40);
        long s1;
        long s2;
        try (Engine e = open()) {
            Volume v = e.createVolume("src", 1 << 20);
            v.write(0, first, false);
            s1 = e.createSnapshot(v, "s1").id();
            v.write(0, second, false);
        }
        Engine e = open();
        Volume v = e.volume("src");
        assertArrayEquals(first, read(e.snapshot(s1), 0, first.length));
        assertEquals(40, e.snapshot(s1).mappedBlocks());
        s2 = e.createSnapshot(v, "s2").id();
        v.write(0, randomBlocks(10, 40), false); // not flushed: may be lost, the snapshot may not
        e.abandon(); // no flush, no clean close: the snapshot was made durable when it was created
        try (Engine r = open()) {
            assertTrue(r.recoveredFromCrash());
            Volume src = r.volume("src");
            assertEquals(List.of(s1, s2), r.snapshots(src).stream().map(Volume::id).toList());
            assertArrayEquals(first, read(r.snapshot(s1), 0, first.length));
            assertArrayEquals(second, read(r.snapshot(s2), 0, second.length));
            assertEquals(40, r.snapshot(s2).mappedBlocks());
            assertTrue(r.snapshot(s2).isSnapshot());
            assertEquals(src.id(), r.snapshot(s2).sourceId());
            assertClean(r);
        }
    }

    @Test
    void deletingASnapshotReturnsItsSpace() throws Exception {
        byte[] old = randomBlocks(11, 100);
        byte[] now = randomBlocks(12, 100);
        try (Engine e = open()) {
            Volume v = e.createVolume("src", 1 << 20);
            v.write(0, old, false);
            Volume s = e.createSnapshot(v, "s");
            v.write(0, now, false);
            SpaceReport held = e.space();
            assertEquals(200, held.uniqueBlocks());
            assertEquals(100L * B, held.snapshotPhysical(), "random blocks are stored raw");
            assertEquals(0, held.snapshotSavings());
            e.deleteVolume(s);
            assertTrue(s.deleted());
            assertEquals(IoStatus.NO_VOLUME, s.read(0, new byte[B]));
            assertEquals(IoStatus.NO_VOLUME, s.write(0, new byte[B], false));
            assertNull(e.snapshot(s.id()));
            assertEquals(List.of(), e.snapshots(v));
            assertEquals(0, e.space().snapshotLogical());
            e.settle(true);
            SpaceReport freed = e.space();
            assertEquals(100, freed.uniqueBlocks());
            assertEquals(100L * B, freed.uniqueDataPhysical());
            assertTrue(freed.physicalUsed() < held.physicalUsed(), "the cleaner reclaimed the snapshot's segments");
            assertEquals(0, entries(e, s.id()));
            assertFalse(catalog(e).stream().anyMatch(r -> r.id() == s.id()), "its record is gone once drained");
            assertArrayEquals(now, read(v, 0, now.length));
            assertClean(e);
            Volume again = e.createSnapshot(v, "s"); // the name is free again
            assertArrayEquals(now, read(again, 0, now.length));
            assertClean(e);
        }
    }

    @Test
    void aVolumeWithSnapshotsIsDeletedOnlyWithThem() throws Exception {
        byte[] data = compressibleBlocks(13, 30);
        Volume keep;
        try (Engine e = open()) {
            Volume v = e.createVolume("src", 1 << 20);
            keep = e.createVolume("keep", 1 << 20);
            v.write(0, data, false);
            keep.write(0, randomBlocks(14, 3), false);
            Volume s1 = e.createSnapshot(v, "monday");
            v.write(0, randomBlocks(15, 30), false);
            Volume s2 = e.createSnapshot(v, "tuesday");
            Volume other = e.createSnapshot(keep, "k");
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> e.deleteVolume(v));
            assertTrue(refused.getMessage().contains("monday") && refused.getMessage().contains("tuesday"),
                    refused.getMessage());
            assertFalse(v.deleted());
            assertEquals(IoStatus.OK, v.read(0, new byte[B]));
            e.deleteVolume(v, true);
            assertTrue(v.deleted() && s1.deleted() && s2.deleted());
            assertFalse(other.deleted());
            assertNull(e.volume("src"));
            assertNull(e.snapshot(s1.id()));
        }
        try (Engine e = open()) { // the delete was durable; the drain resumes after the restart
            assertNull(e.volume("src"));
            assertEquals(1, e.volumes().size());
            assertEquals(List.of("k"), e.snapshots(e.volume("keep")).stream().map(Volume::name).toList());
            e.settle(true);
            assertEquals(3, e.space().uniqueBlocks());
            assertEquals(2, catalog(e).size(), "keep and its snapshot");
            assertClean(e);
            e.deleteVolume(e.snapshots(e.volume("keep")).get(0));
            e.deleteVolume(e.volume("keep")); // no snapshots left: the plain delete works
            e.settle(true);
            assertEquals(0, e.space().uniqueBlocks());
            assertClean(e);
        }
    }

    @Test
    void aSnapshotDoesNotSeeBlocksOfAPendingUnmap() throws Exception {
        EngineConfig c = EngineConfig.small(dir, 2, 64L << 20).withInlineUnmapBlocks(16);
        byte[] data = compressibleBlocks(16, 256);
        byte[] late = randomBlocks(17, 2);
        try (Engine e = Engine.open(c)) {
            Volume v = e.createVolume("src", 1 << 20);
            v.write(0, data, false);
            assertEquals(IoStatus.OK, v.unmap(64L * B, 128L * B)); // more than 16 blocks: a pending range
            assertEquals(IoStatus.OK, v.write(100L * B, late, false)); // newer than the range: visible
            assertEquals(256 - 16, entries(e, v.id()), "16 released at once, the rest pending and not yet drained");
            Volume s = e.createSnapshot(v, "s");
            byte[] expect = data.clone();
            Arrays.fill(expect, 64 * B, 192 * B, (byte) 0);
            System.arraycopy(late, 0, expect, 100 * B, late.length);
            assertArrayEquals(expect, read(s, 0, expect.length));
            assertEquals(130, s.mappedBlocks());
            assertEquals(130, entries(e, s.id()), "hidden entries are not copied");
            e.settle(true);
            assertArrayEquals(expect, read(s, 0, expect.length));
            assertArrayEquals(expect, read(v, 0, expect.length));
            assertClean(e);
        }
    }

    @Test
    void aCrashDuringAMultiBatchSnapshotLeavesNoHalfSnapshot() throws Exception {
        byte[] data = compressibleBlocks(18, 300);
        long uniqueBefore;
        Engine e = open();
        Volume v = e.createVolume("src", 4 << 20);
        v.write(0, data, false);
        assertEquals(IoStatus.OK, e.flush());
        uniqueBefore = e.space().uniqueBlocks();
        e.snapshotCopy.batchEntries = 32;
        e.snapshotCopy.failAfterBatches = 3; // 96 of 300 entries committed, then the "crash"
        assertThrows(IllegalStateException.class, () -> e.createSnapshot(v, "half"));
        assertEquals(List.of(), e.snapshots(v));
        e.abandon();
        try (Engine r = open()) {
            assertTrue(r.recoveredFromCrash());
            Volume src = r.volume("src");
            assertEquals(List.of(), r.snapshots(src));
            VolumeRecord half = catalog(r).stream().filter(VolumeRecord::isSnapshot).findFirst().orElseThrow(
                    () -> new AssertionError("the partial snapshot's record should be there until drained"));
            assertEquals(VolumeRecord.State.DELETING, half.state(), "turned into a deleting volume at open");
            assertEquals(96, entries(r, half.id()), "the committed batches of the copy are there to release");
            assertNull(r.snapshot(half.id()));
            assertClean(r); // refcounts count the partial copy's references, which exist
            r.settle(true);
            assertEquals(0, entries(r, half.id()));
            assertEquals(1, catalog(r).size());
            assertEquals(uniqueBefore, r.space().uniqueBlocks());
            assertArrayEquals(data, read(src, 0, data.length));
            assertClean(r);
            Volume s = r.createSnapshot(src, "half"); // the name was never taken
            assertArrayEquals(data, read(s, 0, data.length));
            assertClean(r);
        }
    }

    /** Block i of generation g: g and i up front, then compressible filler. */
    static byte[] generation(long g, int blocks) {
        byte[] b = new byte[blocks * B];
        for (int i = 0; i < blocks; i++) {
            Keys.putLong(b, i * B, g);
            Keys.putLong(b, i * B + 8, i);
            Arrays.fill(b, i * B + 16, (i + 1) * B, (byte) ('a' + g % 26));
        }
        return b;
    }

    @Test
    void aSnapshotTakenDuringWritesHoldsOneWholeGenerationNoOlderThanTheLastAcknowledged() throws Exception {
        int blocks = 96; // one write is one group: committed whole or not at all
        try (Engine e = open()) {
            Volume v = e.createVolume("busy", (long) blocks * B);
            v.write(0, generation(0, blocks), false);
            java.util.concurrent.atomic.AtomicLong acknowledged = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread writer = new Thread(() -> {
                for (long g = 1; !stop.get(); g++) {
                    if (v.write(0, generation(g, blocks), false) != IoStatus.OK) {
                        return;
                    }
                    acknowledged.set(g);
                }
            });
            writer.start();
            List<long[]> taken = new ArrayList<>();
            try {
                for (int i = 0; i < 20; i++) {
                    long ackedBefore = acknowledged.get();
                    Volume s = e.createSnapshot(v, "s" + i);
                    taken.add(new long[] {s.id(), ackedBefore});
                    long deadline = System.nanoTime() + 5_000_000_000L;
                    while (acknowledged.get() <= ackedBefore + 1 && writer.isAlive() && System.nanoTime() < deadline) {
                        Thread.yield(); // let the writer get past the snapshot before the next one
                    }
                }
            } finally {
                stop.set(true);
                writer.join();
            }
            long distinct = 0;
            long previous = -1;
            for (long[] t : taken) {
                byte[] image = read(e.snapshot(t[0]), 0, blocks * B);
                long g = Keys.getLong(image, 0);
                assertTrue(g >= t[1], "snapshot holds generation " + g + ", older than acknowledged " + t[1]);
                assertArrayEquals(generation(g, blocks), image, "snapshot mixes generations (first block: " + g + ")");
                distinct += g != previous ? 1 : 0;
                previous = g;
            }
            assertTrue(distinct > 1, "the writer never ran between snapshots; the test saw nothing");
            assertClean(e);
        }
    }

    @Test
    void fsckNamesAHalfCreatedSnapshotAndOneWithoutASource() throws Exception {
        try (Engine e = open()) {
            Volume v = e.createVolume("src", 1 << 20);
            try (Batch b = e.metadata().newBatch()) {
                b.put(Map.VOLUMES, Keys.u64(900), new VolumeRecord(900, "h", 1 << 20, 0, 0,
                        VolumeRecord.State.CREATING, VolumeRecord.Kind.SNAPSHOT, v.id()).encode());
                b.put(Map.VOLUMES, Keys.u64(901), new VolumeRecord(901, "o", 1 << 20, 0, 0,
                        VolumeRecord.State.ACTIVE, VolumeRecord.Kind.SNAPSHOT, 77).encode());
                e.metadata().commit(b);
            }
            Fsck.Result r = Fsck.check(e);
            assertEquals(2, r.violations().size(), r.violations().toString());
            assertTrue(r.violations().stream().anyMatch(s -> s.contains("half created")), r.violations().toString());
            assertTrue(r.violations().stream().anyMatch(s -> s.contains("no live source")), r.violations().toString());
        }
    }
}
