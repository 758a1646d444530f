package io.tamp.datapath.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tamp.datapath.fsck.Fsck;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchContextTest {
    @TempDir
    Path dir;

    /**
     * The first batch of an engine to touch 13 extents (here: unmapping extents 16..28) leaves the
     * context's map one past its resize threshold, and the resize comes with the next lookup, in
     * the middle of finish. Each extent must still be released exactly once (found by CrashTest).
     */
    @Test
    void batchCrossingTheMapResizeReleasesEachExtentOnce() throws Exception {
        try (Engine e = Engine.open(EngineConfig.small(dir, 2, 64L << 20))) {
            Volume v = e.createVolume("a", 1 << 20);
            SplittableRandom r = new SplittableRandom(1);
            byte[] block = new byte[Volume.BLOCK];
            for (int lba = 0; lba < 28; lba++) {
                r.nextBytes(block);
                assertEquals(IoStatus.OK, v.write((long) lba * Volume.BLOCK, block, false));
            }
            assertEquals(IoStatus.OK, v.unmap(15L * Volume.BLOCK, 13L * Volume.BLOCK));
            Fsck.Result f = Fsck.check(e);
            assertTrue(f.ok(), "fsck " + f.violations());
            assertEquals(15, e.uniqueBlocks());
        }
    }
}
