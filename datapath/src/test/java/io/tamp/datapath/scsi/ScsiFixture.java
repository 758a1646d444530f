package io.tamp.datapath.scsi;

import io.tamp.datapath.frontend.IoMetrics;
import io.tamp.datapath.frontend.LunMap;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tamp.datapath.volume.Engine;
import io.tamp.datapath.volume.EngineConfig;
import io.tamp.datapath.volume.Volume;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A real small engine with one 8 MiB volume mapped at LUN 0 for {@link #IQN}, and helpers to drive CDBs. */
abstract class ScsiFixture {
    static final String IQN = "iqn.2024-01.io.tamp:host1";
    static final String PORT = IQN + ",i,0x00023d000001";
    static final String PORT2 = IQN + ",i,0x00023d000002";
    static final long VOLUME_BYTES = 8L << 20;
    static final long BLOCKS = VOLUME_BYTES / 512;

    @TempDir
    Path dir;
    Engine engine;
    Volume volume;
    LunMap lunMap;
    ScsiDisk disk;
    ExecutorService workers;
    IoMetrics metrics;

    /** What came back, with data-in copied out and its buffer released. */
    record Result(int status, byte[] sense, byte[] data) {
        Sense condition() {
            assertNotNull(sense, "no sense data");
            return Sense.parse(sense);
        }

        long information() {
            return (sense[3] & 0xFFL) << 24 | (sense[4] & 0xFF) << 16 | (sense[5] & 0xFF) << 8 | sense[6] & 0xFF;
        }

        int u8(int off) {
            return data[off] & 0xFF;
        }

        int u16(int off) {
            return u8(off) << 8 | u8(off + 1);
        }

        long u32(int off) {
            return (long) u16(off) << 16 | u16(off + 2);
        }

        long u64(int off) {
            return u32(off) << 32 | u32(off + 4);
        }
    }

    @BeforeEach
    void openEngine() throws Exception {
        engine = Engine.open(EngineConfig.small(dir, 2, 64L << 20));
        volume = engine.createVolume("v", VOLUME_BYTES);
        lunMap = new LunMap();
        lunMap.map(IQN, 0, volume);
        workers = Executors.newFixedThreadPool(2);
        metrics = new IoMetrics();
        disk = new ScsiDisk(lunMap, workers, metrics);
    }

    @AfterEach
    void closeEngine() throws Exception {
        workers.shutdown();
        workers.awaitTermination(10, TimeUnit.SECONDS);
        engine.close();
    }

    static byte[] cdb(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    Result run(String port, long lun, byte[] cdb, byte[] dataOut) {
        ByteBuf out = dataOut == null ? null : Unpooled.directBuffer(dataOut.length).writeBytes(dataOut);
        ScsiResponse r = disk.execute(new ScsiCommand(port, IQN, lun, cdb, dataOut == null ? 0 : dataOut.length, out, 7))
                .join();
        if (out != null) {
            assertEquals(0, out.refCnt(), "data-out not released");
        }
        byte[] data = null;
        if (r.dataIn() != null) {
            data = new byte[r.dataIn().readableBytes()];
            r.dataIn().readBytes(data);
            r.dataIn().release();
            assertEquals(0, r.dataIn().refCnt(), "data-in still referenced");
        }
        return new Result(r.status(), r.sense(), data);
    }

    Result run(byte[] cdb, byte[] dataOut) {
        return run(PORT, 0, cdb, dataOut);
    }

    Result run(byte[] cdb) {
        return run(cdb, null);
    }

    Result run(String cdbHex) {
        return run(cdb(cdbHex));
    }

    /** Consumes the POWER ON unit attention of a nexus. */
    void login(String port) {
        Result r = run(port, 0, cdb("00 00 00 00 00 00"), null);
        assertEquals(Sense.POWER_ON_RESET, r.condition());
    }

    static void assertGood(Result r) {
        assertEquals(ScsiResponse.GOOD, r.status(), () -> "expected GOOD, got status " + r.status()
                + (r.sense() == null ? "" : " " + Sense.parse(r.sense())));
    }

    static void assertCheck(Sense expected, Result r) {
        assertEquals(ScsiResponse.CHECK_CONDITION, r.status(), "status");
        assertEquals(expected, r.condition());
        assertEquals(0x70, r.sense()[0] & 0x7F);
        assertEquals(10, r.sense()[7]);
    }

    static byte[] pattern(int seed, int bytes) {
        byte[] b = new byte[bytes];
        new java.util.SplittableRandom(seed).nextBytes(b);
        return b;
    }

    static byte[] rw10(int opcode, int flags, long lba, int blocks) {
        byte[] c = new byte[10];
        c[0] = (byte) opcode;
        c[1] = (byte) flags;
        InquiryCommands.putU32(c, 2, lba);
        InquiryCommands.putU16(c, 7, blocks);
        return c;
    }

    static byte[] rw16(int opcode, int flags, long lba, long blocks) {
        byte[] c = new byte[16];
        c[0] = (byte) opcode;
        c[1] = (byte) flags;
        InquiryCommands.putU64(c, 2, lba);
        InquiryCommands.putU32(c, 10, blocks);
        return c;
    }
}
