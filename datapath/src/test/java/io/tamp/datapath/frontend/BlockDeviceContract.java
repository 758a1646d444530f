package io.tamp.datapath.frontend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tamp.datapath.volume.Engine;
import io.tamp.datapath.volume.EngineConfig;
import io.tamp.datapath.volume.Volume;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One block-device test suite, run over every transport: a subclass serves {@link #volume} over
 * its protocol on loopback and wraps its test client as a {@link BlockDevice}; the cases here
 * then prove the same behaviour through iSCSI and NVMe/TCP alike.
 */
public abstract class BlockDeviceContract {
    public static final long VOLUME_BYTES = 64L << 20;
    public static final int BLOCK = 512;

    /** What a transport reports, reduced to what the suite compares. */
    public enum Outcome { OK, OUT_OF_RANGE, OTHER_ERROR }

    /** A volume as a host sees it through one transport. */
    public interface BlockDevice extends AutoCloseable {
        long capacityBlocks() throws Exception;

        Outcome write(long lba, byte[] data, boolean fua) throws Exception;

        /** The data, or null with {@link #lastOutcome()} saying why. */
        byte[] read(long lba, int blocks) throws Exception;

        Outcome lastOutcome();

        Outcome deallocate(long lba, int blocks) throws Exception;

        Outcome flush() throws Exception;
    }

    @TempDir
    protected Path dir;
    protected Engine engine;
    protected Volume volume;
    protected LunMap lunMap;
    protected ExecutorService workers;
    /** What the server records; a subclass hands it to its command set. */
    protected IoMetrics metrics;

    /** Starts the transport's server on loopback with {@link #lunMap}. */
    protected abstract void startServer() throws Exception;

    protected abstract void stopServer() throws Exception;

    /** A connected client for the host the volume is mapped to. */
    protected abstract BlockDevice connect() throws Exception;

    /** The host name the volume is mapped to (an IQN or a host NQN). */
    protected abstract String host();

    /** The protocol the transport's I/O is recorded as. */
    protected abstract IoMetrics.Protocol protocol();

    @BeforeEach
    void open() throws Exception {
        engine = Engine.open(EngineConfig.small(dir, 2, 128L << 20));
        volume = engine.createVolume("v", VOLUME_BYTES);
        lunMap = new LunMap();
        lunMap.map(host(), 0, volume);
        workers = Executors.newFixedThreadPool(2);
        metrics = new IoMetrics();
        startServer();
    }

    @AfterEach
    void close() throws Exception {
        stopServer();
        workers.shutdownNow();
        engine.close();
    }

    protected static byte[] pattern(int bytes, long seed) {
        byte[] b = new byte[bytes];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    public void capacityIsTheVolumeSize() throws Exception {
        try (BlockDevice d = connect()) {
            assertEquals(VOLUME_BYTES / BLOCK, d.capacityBlocks());
        }
    }

    @Test
    public void writesReadBackAtTheStartMiddleAndEnd() throws Exception {
        long last = VOLUME_BYTES / BLOCK;
        try (BlockDevice d = connect()) {
            for (long lba : new long[] {0, 12345, last - 8}) {
                byte[] data = pattern(8 * BLOCK, lba);
                assertEquals(Outcome.OK, d.write(lba, data, false));
                assertArrayEquals(data, d.read(lba, 8));
            }
        }
    }

    @Test
    public void aMegabyteTransferRoundTrips() throws Exception {
        try (BlockDevice d = connect()) {
            byte[] data = pattern(1 << 20, 7);
            assertEquals(Outcome.OK, d.write(4096, data, true));
            assertArrayEquals(data, d.read(4096, data.length / BLOCK));
        }
    }

    @Test
    public void aSectorInsideABlockIsReadModifyWritten() throws Exception {
        try (BlockDevice d = connect()) {
            byte[] block = pattern(4096, 8);
            assertEquals(Outcome.OK, d.write(80, block, false));
            byte[] sector = pattern(BLOCK, 9);
            assertEquals(Outcome.OK, d.write(83, sector, false));
            System.arraycopy(sector, 0, block, 3 * BLOCK, BLOCK);
            assertArrayEquals(block, d.read(80, 8));
        }
    }

    @Test
    public void deallocatedBlocksReadAsZerosAndFreeTheirSpace() throws Exception {
        try (BlockDevice d = connect()) {
            assertEquals(Outcome.OK, d.write(800, pattern(64 * BLOCK, 10), false));
            assertTrue(volume.isMapped(100));
            assertEquals(Outcome.OK, d.deallocate(800, 64));
            assertArrayEquals(new byte[64 * BLOCK], d.read(800, 64));
            assertFalse(volume.isMapped(100), "the engine unmapped the 4 KiB blocks");
        }
    }

    @Test
    public void outOfRangeIsRefusedAndWritesNothing() throws Exception {
        long last = VOLUME_BYTES / BLOCK;
        try (BlockDevice d = connect()) {
            assertEquals(Outcome.OUT_OF_RANGE, d.write(last - 4, pattern(8 * BLOCK, 11), false));
            assertEquals(null, d.read(last - 1, 2));
            assertEquals(Outcome.OUT_OF_RANGE, d.lastOutcome());
            assertArrayEquals(new byte[4 * BLOCK], d.read(last - 4, 4), "the tail was not written");
        }
    }

    @Test
    public void theSameDataTwiceIsStoredOnce() throws Exception {
        try (BlockDevice d = connect()) {
            byte[] data = pattern(256 * 1024, 12);
            assertEquals(Outcome.OK, d.write(0, data, false));
            assertEquals(Outcome.OK, d.write(8192, data, false));
            assertEquals(Outcome.OK, d.flush());
            assertTrue(engine.volumeSpace(volume).dedupRatio() > 1.9, engine.volumeSpace(volume).toString());
        }
    }

    @Test
    public void hostIoIsCountedForTheVolumeOnItsProtocol() throws Exception {
        long last = VOLUME_BYTES / BLOCK;
        try (BlockDevice d = connect()) {
            byte[] data = pattern(8 * BLOCK, 14);
            assertEquals(Outcome.OK, d.write(64, data, false));
            assertArrayEquals(data, d.read(64, 8));
            assertEquals(null, d.read(last - 1, 2));
            assertEquals(Outcome.OK, d.flush());
        }
        assertEquals(1, metrics.series().size(), "nothing recorded but the volume's I/O");
        IoMetrics.Series s = metrics.series().get(0);
        assertEquals(volume.id(), s.volumeId());
        assertEquals(protocol(), s.protocol());
        assertEquals(1, s.ops(IoMetrics.Op.WRITE));
        assertEquals(8 * BLOCK, s.bytes(IoMetrics.Op.WRITE));
        assertEquals(2, s.ops(IoMetrics.Op.READ));
        assertEquals(8 * BLOCK, s.bytes(IoMetrics.Op.READ), "the refused read moved nothing");
        assertEquals(1, s.errors(IoMetrics.Op.READ));
        assertEquals(1, s.ops(IoMetrics.Op.OTHER), "the flush; login and identify commands are not I/O");
        assertEquals(1, s.errors());
        assertEquals(1, s.latency(IoMetrics.Op.WRITE).getTotalCount());
        assertTrue(s.latency(IoMetrics.Op.WRITE).getMinValue() > 0);
    }

    @Test
    public void flushAndForcedUnitAccessSucceed() throws Exception {
        try (BlockDevice d = connect()) {
            assertEquals(Outcome.OK, d.write(16, pattern(4096, 13), true));
            assertEquals(Outcome.OK, d.flush());
        }
    }
}
