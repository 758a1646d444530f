package io.tamp.datapath.scsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProvisioningCommandsTest extends ScsiFixture {

    @BeforeEach
    void clearPowerOn() {
        login(PORT);
    }

    static byte[] unmapList(long... lbaCount) {
        int n = lbaCount.length / 2;
        byte[] p = new byte[8 + 16 * n];
        InquiryCommands.putU16(p, 0, p.length - 2);
        InquiryCommands.putU16(p, 2, 16 * n);
        for (int i = 0; i < n; i++) {
            InquiryCommands.putU64(p, 8 + 16 * i, lbaCount[2 * i]);
            InquiryCommands.putU32(p, 16 + 16 * i, lbaCount[2 * i + 1]);
        }
        return p;
    }

    static byte[] unmapCdb(int listLength) {
        return rw10(0x42, 0, 0, listLength);
    }

    @Test
    void unmapDeallocatesAndReadsZeros() {
        assertGood(run(rw10(0x2A, 0, 0, 64), pattern(1, 64 * 512)));
        assertTrue(volume.isMapped(1));
        byte[] list = unmapList(8, 16, 40, 8);
        assertGood(run(unmapCdb(list.length), list));
        assertFalse(volume.isMapped(1));
        assertFalse(volume.isMapped(2));
        assertFalse(volume.isMapped(5));
        assertTrue(volume.isMapped(0));
        assertArrayEquals(new byte[16 * 512], run(rw10(0x28, 0, 8, 16)).data());
    }

    @Test
    void unmapErrors() {
        assertGood(run(unmapCdb(0)));
        byte[] list = unmapList(BLOCKS - 4, 8);
        assertCheck(Sense.LBA_OUT_OF_RANGE, run(unmapCdb(list.length), list));
        assertCheck(Sense.PARAMETER_LIST_LENGTH_ERROR, run(unmapCdb(4), new byte[4]));
        byte[] ok = unmapList(0, 8);
        assertCheck(Sense.PARAMETER_LIST_LENGTH_ERROR, run(unmapCdb(ok.length + 16), ok));
        byte[] lying = ok.clone();
        InquiryCommands.putU16(lying, 2, 64);
        assertCheck(Sense.PARAMETER_LIST_LENGTH_ERROR, run(unmapCdb(lying.length), lying));
        long[] many = new long[2 * (InquiryCommands.MAX_UNMAP_DESCRIPTORS + 1)];
        byte[] tooMany = unmapList(many);
        assertCheck(Sense.INVALID_FIELD_IN_PARAMETER_LIST, run(unmapCdb(tooMany.length), tooMany));
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run(rw10(0x42, 0x01, 0, ok.length), ok)); // ANCHOR
    }

    @Test
    void writeSameReplicatesThePattern() {
        byte[] block = pattern(2, 512);
        assertGood(run(rw10(0x41, 0, 100, 20), block));
        byte[] back = run(rw10(0x28, 0, 100, 20)).data();
        for (int i = 0; i < 20; i++) {
            assertArrayEquals(block, java.util.Arrays.copyOfRange(back, i * 512, i * 512 + 512));
        }
    }

    @Test
    void writeSameUnmapAndNdob() {
        assertGood(run(rw10(0x2A, 0, 0, 64), pattern(3, 64 * 512)));
        assertGood(run(rw10(0x41, 0x08, 0, 16), new byte[512])); // zeros + UNMAP
        assertFalse(volume.isMapped(0));
        assertFalse(volume.isMapped(1));
        assertGood(run(rw16(0x93, 0x09, 16, 16))); // NDOB + UNMAP: no data-out
        assertFalse(volume.isMapped(2));
        assertGood(run(rw16(0x93, 0x01, 32, 8))); // NDOB: zeros
        assertFalse(volume.isMapped(4));
        assertArrayEquals(new byte[40 * 512], run(rw10(0x28, 0, 0, 40)).data());
        assertTrue(volume.isMapped(5));
    }

    @Test
    void writeSameErrors() {
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run(rw10(0x41, 0, 0, 0), new byte[512])); // WSNZ
        assertCheck(Sense.LBA_OUT_OF_RANGE, run(rw16(0x93, 0, BLOCKS - 1, 2), new byte[512]));
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run(rw10(0x41, 0x10, 0, 1), new byte[512])); // ANCHOR
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run(rw10(0x41, 0x01, 0, 1), new byte[512])); // NDOB in (10)
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run(rw10(0x41, 0, 0, 1))); // no data-out
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run(rw10(0x41, 0x08, 0, 1), new byte[256])); // half a block
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run(rw10(0x41, 0x08, 0, 1), new byte[1024])); // two blocks
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run(rw16(0x93, 0x01, 0, 1), new byte[512])); // NDOB with data
        engine.resizeVolume(volume, 4L << 30);
        assertCheck(Sense.CAPACITY_DATA_HAS_CHANGED, run("00 00 00 00 00 00")); // the UA a resize raises
        assertCheck(Sense.INVALID_FIELD_IN_CDB,
                run(rw16(0x93, 0x01, 0, InquiryCommands.MAX_WRITE_SAME_BLOCKS + 1)));
    }
}
