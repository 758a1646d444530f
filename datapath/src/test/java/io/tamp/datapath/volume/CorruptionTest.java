package io.tamp.datapath.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tamp.datapath.fsck.Fsck;
import io.tamp.metadata.store.ExtentRecord;
import io.tamp.metadata.store.Keys;
import io.tamp.metadata.store.MetadataStore.Map;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Corruption is detected, never returned as data; bad pools are refused with a clear error. */
class CorruptionTest {
    static final int B = Volume.BLOCK;

    @TempDir
    Path dir;

    private EngineConfig config() {
        return EngineConfig.small(dir, 2, 16L << 20);
    }

    /** File offset of an extent's first byte (segment s on device s % 2 after the 1 MiB superblock area). */
    private long fileOffset(ExtentRecord r, int segmentBytes) {
        return (1L << 20) + (long) (r.segment() / 2) * segmentBytes + r.offset();
    }

    @Test
    void flippedExtentByteIsAMediumErrorAndFsckNamesIt() throws Exception {
        byte[] a = EngineTest.compressibleBlocks(1, 4);
        byte[] b = EngineTest.randomBlocks(2, 4);
        ExtentRecord victim;
        int segmentBytes;
        try (Engine e = Engine.open(config())) {
            Volume v = e.createVolume("v", 1 << 20);
            v.write(0, a, false);
            v.write(a.length, b, false);
            victim = ExtentRecord.decode(e.metadata().get(Map.EXTENTS, Keys.u64(2)));
            segmentBytes = e.pool().segmentBytes();
        }
        Path device = dir.resolve("dev-" + (victim.segment() % 2));
        try (RandomAccessFile f = new RandomAccessFile(device.toFile(), "rw")) {
            long at = fileOffset(victim, segmentBytes) + victim.length() / 2;
            f.seek(at);
            int old = f.read();
            f.seek(at);
            f.write(old ^ 0x40);
        }
        try (Engine e = Engine.open(config())) {
            Volume v = e.volume("v");
            assertEquals(IoStatus.MEDIUM_ERROR, v.read(B, new byte[B]), "extent 2 backs block 1");
            byte[] other = new byte[B];
            assertEquals(IoStatus.OK, v.read(2L * B, other));
            assertArrayEquals(java.util.Arrays.copyOfRange(a, 2 * B, 3 * B), other);
            Fsck.Result r = Fsck.check(e);
            assertFalse(r.ok());
            assertTrue(r.violations().stream().anyMatch(s -> s.contains("extent 2 fails its CRC")), r.violations().toString());
            // overwriting the corrupt block heals it
            assertEquals(IoStatus.OK, v.write(B, new byte[B], false));
            assertTrue(Fsck.check(e).ok(), Fsck.check(e).violations().toString());
        }
    }

    @Test
    void devicesOfAnotherPoolAreRefused() throws Exception {
        Path other = dir.resolve("other");
        try (Engine e = Engine.open(EngineConfig.small(dir.resolve("mine"), 2, 16L << 20))) {
            e.createVolume("x", B);
        }
        try (Engine e = Engine.open(EngineConfig.small(other, 2, 16L << 20))) {
            e.createVolume("y", B);
        }
        // swap in the other pool's devices under our metadata
        Files.move(other.resolve("dev-0"), dir.resolve("mine/dev-0"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.move(other.resolve("dev-1"), dir.resolve("mine/dev-1"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        IOException ex = assertThrows(IOException.class, () -> Engine.open(EngineConfig.small(dir.resolve("mine"), 2, 16L << 20)));
        assertTrue(ex.getMessage().contains("belongs to pool"), ex.getMessage());
    }

    @Test
    void truncatedDeviceIsRefusedAndLeftAsIs() throws Exception {
        try (Engine e = Engine.open(config())) {
            e.createVolume("x", B).write(0, EngineTest.randomBlocks(3, 1), true);
        }
        Path dev = dir.resolve("dev-1");
        try (RandomAccessFile f = new RandomAccessFile(dev.toFile(), "rw")) {
            f.setLength(4L << 20);
        }
        byte[] before = Files.readAllBytes(dir.resolve("dev-0"));
        IOException ex = assertThrows(IOException.class, () -> Engine.open(config()));
        assertTrue(ex.getMessage().contains("dev-1"), ex.getMessage());
        assertArrayEquals(before, Files.readAllBytes(dir.resolve("dev-0")));
        assertEquals(4L << 20, Files.size(dev));
    }
}
