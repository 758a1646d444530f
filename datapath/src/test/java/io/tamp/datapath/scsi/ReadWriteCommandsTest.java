package io.tamp.datapath.scsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tamp.datapath.frontend.IoMetrics;
import io.tamp.datapath.frontend.IoMetrics.Op;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReadWriteCommandsTest extends ScsiFixture {

    @BeforeEach
    void clearPowerOn() {
        login(PORT);
    }

    @Test
    void write10Read10RoundTrip() {
        byte[] data = pattern(1, 8 * 512);
        assertGood(run(rw10(0x2A, 0, 100, 8), data));
        Result r = run(rw10(0x28, 0, 100, 8));
        assertGood(r);
        assertArrayEquals(data, r.data());
        Result part = run(rw10(0x28, 0x10, 103, 2)); // DPO ignored
        assertArrayEquals(Arrays.copyOfRange(data, 3 * 512, 5 * 512), part.data());
    }

    @Test
    void everyCdbSizeReachesTheSameBlocks() {
        byte[] a = pattern(2, 512);
        byte[] six = cdb("0A 00 00 05 01 00");
        assertGood(run(six, a));
        assertArrayEquals(a, run(cdb("08 00 00 05 01 00")).data());
        byte[] b = pattern(3, 1024);
        byte[] w12 = cdb("AA 00 00 00 00 07 00 00 00 02 00 00");
        assertGood(run(w12, b));
        assertArrayEquals(b, run(cdb("A8 00 00 00 00 07 00 00 00 02 00 00")).data());
        byte[] c = pattern(4, 512);
        assertGood(run(rw16(0x8A, 0x08, BLOCKS - 1, 1), c)); // FUA, last block
        assertArrayEquals(c, run(rw16(0x88, 0, BLOCKS - 1, 1)).data());
    }

    @Test
    void read6ZeroLengthMeans256Blocks() {
        Result r = run(cdb("08 00 00 00 00 00"));
        assertGood(r);
        assertEquals(256 * 512, r.data().length);
    }

    @Test
    void zeroLengthTransfersDoNothing() {
        Result r = run(rw10(0x28, 0, 0, 0));
        assertGood(r);
        assertNull(r.data());
        assertGood(run(rw10(0x2A, 0, 0, 0)));
    }

    @Test
    void outOfRange() {
        Result r = run(rw10(0x28, 0, BLOCKS - 1, 2));
        assertCheck(Sense.LBA_OUT_OF_RANGE, r);
        assertEquals(BLOCKS - 1, r.information());
        assertCheck(Sense.LBA_OUT_OF_RANGE, run(rw16(0x8A, 0, BLOCKS, 1), new byte[512]));
        assertCheck(Sense.LBA_OUT_OF_RANGE, run(rw16(0x88, 0, -1L, 1)));
    }

    @Test
    void fieldErrors() {
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run(rw10(0x28, 0x20, 0, 1))); // RDPROTECT
        engine.resizeVolume(volume, 64L << 20);
        assertCheck(Sense.CAPACITY_DATA_HAS_CHANGED, run("00 00 00 00 00 00")); // the UA a resize raises
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run(rw16(0x88, 0, 0, InquiryCommands.MAX_TRANSFER_BLOCKS + 1)));
        // data-out shorter than the transfer length: the whole blocks that came are written, no more
        byte[] oneAndAHalf = pattern(5, 768);
        assertGood(run(rw10(0x2A, 0, 0, 2), oneAndAHalf));
        byte[] back = run(rw10(0x28, 0, 0, 2)).data();
        assertArrayEquals(Arrays.copyOf(oneAndAHalf, 512), Arrays.copyOf(back, 512));
        assertArrayEquals(new byte[512], Arrays.copyOfRange(back, 512, 1024));
    }

    @Test
    void writeAndVerify() {
        byte[] data = pattern(6, 2048);
        assertGood(run(rw10(0x2E, 0x02, 40, 4), data));
        assertArrayEquals(data, run(rw10(0x28, 0, 40, 4)).data());
        assertGood(run(rw16(0x8E, 0, 44, 1), pattern(7, 512)));
        assertCheck(Sense.LBA_OUT_OF_RANGE, run(rw16(0x8E, 0, BLOCKS, 1), pattern(7, 512)));
    }

    @Test
    void verify() {
        byte[] data = pattern(8, 1024);
        assertGood(run(rw10(0x2A, 0, 10, 2), data));
        assertGood(run(rw10(0x2F, 0, 10, 2))); // BYTCHK 0
        assertGood(run(rw10(0x2F, 0x02, 10, 2), data)); // BYTCHK 1
        byte[] wrong = data.clone();
        wrong[700] ^= 1;
        Result r = run(rw16(0x8F, 0x02, 10, 2), wrong);
        assertCheck(Sense.MISCOMPARE_DURING_VERIFY, r);
        assertEquals(700, r.information());
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run(rw10(0x2F, 0x04, 10, 2), data)); // BYTCHK 10
        assertCheck(Sense.LBA_OUT_OF_RANGE, run(rw10(0x2F, 0, BLOCKS, 1)));
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run(rw10(0x2F, 0x02, 10, 2), new byte[512]));
        // BYTCHK 11: one block compared with every block of the range
        byte[] block = pattern(9, 512);
        byte[] twice = new byte[1024];
        System.arraycopy(block, 0, twice, 0, 512);
        System.arraycopy(block, 0, twice, 512, 512);
        assertGood(run(rw10(0x2A, 0, 20, 2), twice));
        assertGood(run(rw10(0x2F, 0x06, 20, 2), block));
    }

    @Test
    void compareAndWrite() {
        byte[] old = pattern(10, 512);
        byte[] fresh = pattern(11, 512);
        assertGood(run(rw10(0x2A, 0, 30, 1), old));
        byte[] caw = cdb("89 00 00 00 00 00 00 00 00 1E 00 00 00 01 00 00");
        byte[] both = new byte[1024];
        System.arraycopy(old, 0, both, 0, 512);
        System.arraycopy(fresh, 0, both, 512, 512);
        assertGood(run(caw, both));
        assertArrayEquals(fresh, run(rw10(0x28, 0, 30, 1)).data());
        Result again = run(caw, both); // the medium no longer holds old
        assertCheck(Sense.MISCOMPARE_DURING_VERIFY, again);
        int first = Arrays.mismatch(old, fresh);
        assertEquals(first, again.information());
        assertArrayEquals(fresh, run(rw10(0x28, 0, 30, 1)).data());
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run(caw, old)); // data-out holds only half
        byte[] four = new byte[2048];
        System.arraycopy(both, 0, four, 0, 1024);
        // data-out longer than 2 × NUMBER OF LOGICAL BLOCKS: refused before comparing (no MISCOMPARE)
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run(caw, four));
        byte[] none = cdb("89 00 00 00 00 00 00 00 00 1E 00 00 00 00 00 00");
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run(none, both)); // 0 blocks with data-out
        assertGood(run(none));
        assertArrayEquals(fresh, run(rw10(0x28, 0, 30, 1)).data());
        byte[] tooMany = cdb("89 00 00 00 00 00 00 00 00 1E 00 00 00 FF 00 00");
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run(tooMany, new byte[255 * 1024]));
    }

    @Test
    void synchronizeCache() {
        assertGood(run(rw10(0x35, 0, 0, 0)));
        assertGood(run(rw16(0x91, 0x02, 8, 8)));
        assertCheck(Sense.LBA_OUT_OF_RANGE, run(rw10(0x35, 0, BLOCKS, 1)));
    }

    @Test
    void ioCommandsAreRecordedByKindAndNothingElseIs() {
        run("12 00 00 00 60 00"); // INQUIRY
        run("25 00 00 00 00 00 00 00 00 00"); // READ CAPACITY(10)
        run("1A 00 3F 00 FF 00"); // MODE SENSE(6)
        assertTrue(metrics.series().isEmpty(), "TEST UNIT READY, INQUIRY, READ CAPACITY, MODE SENSE do no I/O");

        byte[] data = pattern(12, 4096);
        assertGood(run(rw10(0x2A, 0, 50, 8), data));
        assertGood(run(rw16(0x8E, 0, 58, 1), pattern(13, 512))); // WRITE AND VERIFY
        assertGood(run(rw10(0x28, 0, 50, 8)));
        assertCheck(Sense.LBA_OUT_OF_RANGE, run(rw10(0x28, 0, BLOCKS - 1, 2)));
        assertGood(run(rw10(0x2F, 0, 50, 8))); // VERIFY
        assertGood(run(rw10(0x35, 0, 0, 0))); // SYNCHRONIZE CACHE
        assertGood(run(rw10(0x41, 0, 100, 4), new byte[512])); // WRITE SAME
        byte[] caw = new byte[1024];
        System.arraycopy(data, 0, caw, 0, 512);
        assertGood(run(cdb("89 00 00 00 00 00 00 00 00 32 00 00 00 01 00 00"), caw)); // COMPARE AND WRITE at 50
        byte[] unmap = ByteBuffer.allocate(24).putShort(0, (short) 22).putShort(2, (short) 16)
                .putLong(8, 200).putInt(16, 8).array();
        assertGood(run(rw10(0x42, 0, 0, unmap.length), unmap));
        run(PORT, 3, rw10(0x28, 0, 0, 1), null); // an unmapped LUN: no volume to count it for

        assertEquals(1, metrics.series().size());
        IoMetrics.Series s = metrics.series().get(0);
        assertEquals(volume.id(), s.volumeId());
        assertEquals(IoMetrics.Protocol.ISCSI, s.protocol());
        assertEquals(2, s.ops(Op.READ));
        assertEquals(4096, s.bytes(Op.READ));
        assertEquals(1, s.errors(Op.READ));
        assertEquals(2, s.ops(Op.WRITE), "WRITE and WRITE AND VERIFY");
        assertEquals(4096 + 512, s.bytes(Op.WRITE));
        assertEquals(5, s.ops(Op.OTHER), "VERIFY, SYNCHRONIZE CACHE, WRITE SAME, COMPARE AND WRITE, UNMAP");
        assertEquals(512 + 1024 + 24, s.bytes(Op.OTHER), "data-out moved, not ranges covered");
        assertEquals(1, s.errors());
        assertEquals(5, s.latency(Op.OTHER).getTotalCount());
    }

    @Test
    void outOfSpaceIsAWriteProtectWithAllocationFailure() {
        assertEquals(Sense.SPACE_ALLOCATION_FAILED_WRITE_PROTECT, Sense.of(io.tamp.datapath.volume.IoStatus.NO_SPACE));
        assertEquals(Sense.UNRECOVERED_READ_ERROR, Sense.of(io.tamp.datapath.volume.IoStatus.MEDIUM_ERROR));
        assertEquals(Sense.INTERNAL_TARGET_FAILURE, Sense.of(io.tamp.datapath.volume.IoStatus.IO_ERROR));
        byte[] s = Sense.SPACE_ALLOCATION_FAILED_WRITE_PROTECT.bytes(77);
        assertEquals(0xF0, s[0] & 0xFF);
        assertEquals(0x07, s[2]);
        assertEquals(77, s[6]);
        assertEquals(0x27, s[12]);
        assertEquals(0x07, s[13]);
    }
}
