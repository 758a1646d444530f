package io.tamp.mgmt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fsck} passes a pool {@code import} made, names a flipped byte, and refuses a directory with no pool. */
class FsckCommandTest {
    private static final long SEED = 0xF5C4L;
    /** The superblock region every device starts with; segments follow it. */
    private static final long SEGMENTS_START_BYTES = 1 << 20;
    private static final int SCAN_BYTES = 16 << 20;

    @TempDir
    Path tmp;
    private Path pool;
    private List<Path> files;

    @BeforeEach
    void importData() throws IOException {
        files = new RealisticData(SEED).write(Files.createDirectories(tmp.resolve("data")));
        pool = tmp.resolve("pool");
        Cli.Result imp = Cli.tamp("import", "--pool", pool.toString(), "--devices", "2", "--device-gib", "1",
                "--volume", "v", files.get(0).toString(), files.get(2).toString());
        assertEquals(0, imp.exitCode(), imp.toString());
    }

    @Test
    void poolMadeByImportIsClean() {
        Cli.Result r = Cli.tamp("fsck", "--pool", pool.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("1 volumes"), r.toString());
        assertTrue(r.out().strip().endsWith("clean"), r.toString());
        assertFalse(r.out().contains("VIOLATION"), r.toString());
    }

    @Test
    void flippedByteInAnExtentIsNamedAndNeverReturned() throws IOException {
        long at = flipFirstStoredByte(pool.resolve("dev-0"));

        Cli.Result fsck = Cli.tamp("fsck", "--pool", pool.toString());
        assertEquals(1, fsck.exitCode(), "byte flipped at dev-0 offset " + at + "\n" + fsck);
        List<String> violations = fsck.out().lines().filter(l -> l.startsWith("VIOLATION: ")).toList();
        assertEquals(1, violations.size(), fsck.toString());
        assertTrue(violations.get(0).matches("VIOLATION: extent \\d+ fails its CRC \\(segment 0 offset \\d+\\)"),
                fsck.toString());
        assertTrue(fsck.out().strip().endsWith("1 violation(s)"), fsck.toString());

        Cli.Result export = Cli.tamp("export", "--pool", pool.toString(), "--volume", "v",
                tmp.resolve("out.img").toString());
        assertNotEquals(0, export.exitCode(), "export returned data past a corrupt extent: " + export);
        assertTrue(export.err().contains("MEDIUM_ERROR"), export.toString());

        flip(pool.resolve("dev-0"), at);
        Cli.Result again = Cli.tamp("fsck", "--pool", pool.toString());
        assertEquals(0, again.exitCode(), "flipping the byte back must make the pool clean again: " + again);
    }

    @Test
    void directoryWithoutPoolIsRefusedWithoutCreatingOne() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Cli.Result r = Cli.tamp("fsck", "--pool", empty.toString());
        assertNotEquals(0, r.exitCode(), r.toString());
        assertEquals(1, r.err().lines().count(), "want a one-line error: " + r);
        assertTrue(r.err().startsWith("tamp fsck: ") && r.err().contains("no pool"), r.toString());
        try (var s = Files.list(empty)) {
            assertEquals(List.of(), s.toList(), "fsck must not create a pool where there was none");
        }
        Cli.Result export = Cli.tamp("export", "--pool", empty.toString(), "--volume", "v",
                tmp.resolve("out.img").toString());
        assertEquals(1, export.exitCode(), export.toString());
        try (var s = Files.list(empty)) {
            assertEquals(List.of(), s.toList(), "export must not create a pool where there was none");
        }
    }

    @Test
    void missingDirectoryIsRefused() {
        Cli.Result r = Cli.tamp("fsck", "--pool", tmp.resolve("nowhere").toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals(1, r.err().lines().count(), "want a one-line error: " + r);
        assertFalse(Files.exists(tmp.resolve("nowhere")));
    }

    /** Flips the lowest bit of the first non-zero byte after the superblock region; returns its offset. */
    private static long flipFirstStoredByte(Path device) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(SCAN_BYTES);
        try (FileChannel ch = FileChannel.open(device, StandardOpenOption.READ)) {
            ch.read(buf, SEGMENTS_START_BYTES);
        }
        for (int i = 0; i < buf.position(); i++) {
            if (buf.get(i) != 0) {
                flip(device, SEGMENTS_START_BYTES + i);
                return SEGMENTS_START_BYTES + i;
            }
        }
        throw new AssertionError("no stored byte in the first " + SCAN_BYTES + " bytes of segments on " + device);
    }

    private static void flip(Path device, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(device, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, offset);
            b.put(0, (byte) (b.get(0) ^ 1)).rewind();
            ch.write(b, offset);
            ch.force(false);
        }
    }
}
