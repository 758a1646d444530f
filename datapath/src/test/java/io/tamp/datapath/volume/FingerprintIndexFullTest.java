package io.tamp.datapath.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tamp.datapath.fsck.Fsck;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * More unique blocks than the fingerprint index can hold (Chronicle Map refuses inserts at about
 * twice the entries it was sized for). Writes must go on — the blocks beyond the index are stored
 * without an entry — and everything must read back and pass fsck, before and after a reopen.
 */
class FingerprintIndexFullTest {
    private static final int BLOCK = Volume.BLOCK;
    private static final int BLOCKS = 8192;

    @TempDir
    Path dir;

    private EngineConfig config() {
        EngineConfig small = EngineConfig.small(dir, 2, 128L << 20);
        return new EngineConfig(dir, 2, 128L << 20, small.segmentBytes(), 1024, false, 0,
                small.drainBlocksPerTick(), small.inlineUnmapBlocks());
    }

    private static byte[] block(int i) {
        byte[] b = new byte[BLOCK];
        new Random(i).nextBytes(b);
        return b;
    }

    @Test
    void writesGoOnWithoutDedupOnceTheIndexIsFull() throws Exception {
        try (Engine e = Engine.open(config())) {
            Volume v = e.createVolume("v", (long) (BLOCKS + 16) * BLOCK);
            for (int i = 0; i < BLOCKS; i++) {
                assertEquals(IoStatus.OK, v.write((long) i * BLOCK, block(i), false), "write " + i);
            }
            long indexed = e.fingerprintIndex().size();
            assertTrue(indexed < BLOCKS, "the index held all " + BLOCKS + " entries: the test never filled it");
            assertEquals(BLOCKS, e.uniqueBlocks());
            // a copy of an indexed block still deduplicates
            assertEquals(IoStatus.OK, v.write((long) BLOCKS * BLOCK, block(0), false));
            assertEquals(BLOCKS, e.uniqueBlocks());
            // overwriting unindexed blocks frees their extents cleanly
            for (int i = BLOCKS - 100; i < BLOCKS; i++) {
                assertEquals(IoStatus.OK, v.write((long) i * BLOCK, block(0), false));
            }
            assertEquals(BLOCKS - 100, e.uniqueBlocks());
            check(e, v);
        }
        try (Engine e = Engine.open(config())) {
            check(e, e.volume("v"));
        }
    }

    private static void check(Engine e, Volume v) {
        byte[] back = new byte[BLOCK];
        for (int i = 0; i <= BLOCKS; i++) {
            assertEquals(IoStatus.OK, v.read((long) i * BLOCK, back));
            assertArrayEquals(i >= BLOCKS - 100 ? block(0) : block(i), back, "block " + i);
        }
        Fsck.Result r = Fsck.check(e);
        assertTrue(r.ok(), r.violations().toString());
    }
}
