package io.tamp.datapath.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prints how long the copy-the-map snapshot takes for a fully mapped 1 GiB volume (262144 blocks),
 * and what space() (which walks snapshot block maps) and deleting the snapshot cost. A measurement,
 * not a check: run it with {@code -Dsnapshot.timing=true -Dtest=SnapshotTiming}.
 */
@EnabledIfSystemProperty(named = "snapshot.timing", matches = "true")
class SnapshotTiming {
    static final int BLOCKS = 262_144;

    @TempDir
    Path dir;

    @Test
    void snapshotOfAFullyMappedGibibyte() throws Exception {
        EngineConfig config = new EngineConfig(dir, 2, 2L << 30, 4 << 20, 1_000_000, false, 0, 2048, 4096);
        try (Engine e = Engine.open(config)) {
            Volume v = e.createVolume("gib", (long) BLOCKS * Volume.BLOCK);
            long t0 = System.nanoTime();
            for (int at = 0; at < BLOCKS; at += 256) {
                byte[] chunk = SnapshotTest.generation(at, 256); // distinct blocks, they compress well
                assertEquals(IoStatus.OK, v.write((long) at * Volume.BLOCK, chunk, false));
            }
            assertEquals(IoStatus.OK, e.flush());
            long t1 = System.nanoTime();
            Volume s = e.createSnapshot(v, "s");
            long t2 = System.nanoTime();
            SpaceReport r = e.space();
            long t3 = System.nanoTime();
            Volume s2 = e.createSnapshot(v, "s2"); // a warm second run
            long t4 = System.nanoTime();
            assertEquals(BLOCKS, s.mappedBlocks());
            assertEquals((long) BLOCKS * Volume.BLOCK, r.snapshotLogical());
            e.deleteVolume(s);
            e.deleteVolume(s2);
            e.settle(false);
            long t5 = System.nanoTime();
            System.out.printf("snapshot timing: %d blocks mapped (write %d ms); createSnapshot %d ms, again %d ms; "
                    + "space() with one snapshot %d ms (snapshotLogical %d MiB); delete both + drain %d ms%n",
                    BLOCKS, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t4 - t3) / 1_000_000,
                    (t3 - t2) / 1_000_000, r.snapshotLogical() >> 20, (t5 - t4) / 1_000_000);
        }
    }
}
