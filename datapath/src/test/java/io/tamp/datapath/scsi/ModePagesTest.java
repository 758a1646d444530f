package io.tamp.datapath.scsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ModePagesTest extends ScsiFixture {

    @BeforeEach
    void clearPowerOn() {
        login(PORT);
    }

    @Test
    void modeSense6CachingWithBlockDescriptor() {
        Result r = run("1A 00 08 00 FF 00");
        assertGood(r);
        assertEquals(4 + 8 + 20, r.data().length);
        assertEquals(r.data().length - 1, r.u8(0));
        assertEquals(0x10, r.u8(2)); // DPOFUA, not write protected
        assertEquals(8, r.u8(3));
        assertEquals(BLOCKS, r.u32(4));
        assertEquals(512, r.u32(8) & 0xFFFFFF);
        assertEquals(0x08, r.u8(12));
        assertEquals(0x12, r.u8(13));
        assertEquals(0x04, r.u8(14)); // WCE
    }

    @Test
    void modeSense10AllPagesLongLbaNoDescriptor() {
        Result all = run("5A 08 3F 00 00 00 00 01 00 00");
        assertGood(all);
        assertEquals(8 + 20 + 12 + 12, all.data().length);
        assertEquals(all.data().length - 2, all.u16(0));
        assertEquals(0, all.u16(6));
        assertEquals(0x08, all.u8(8));
        assertEquals(0x0A, all.u8(28));
        assertEquals(0x10, all.u8(31)); // queue algorithm modifier 1
        assertEquals(0x1C, all.u8(40));
        assertEquals(0x08, all.u8(42)); // DEXCPT
        Result longLba = run("5A 10 0A 00 00 00 00 01 00 00");
        assertEquals(16, longLba.u16(6));
        assertEquals(1, longLba.u8(4));
        assertEquals(BLOCKS, longLba.u64(8));
        assertEquals(512, longLba.u32(20));
        assertEquals(8 + 16 + 12, longLba.data().length);
    }

    @Test
    void changeableValuesAndErrors() {
        Result ch = run("1A 08 48 00 FF 00");
        assertEquals(0x04, ch.u8(6));
        assertEquals(4, run("1A 08 08 00 04 00").data().length);
        assertCheck(Sense.SAVING_PARAMETERS_NOT_SUPPORTED, run("1A 00 C8 00 FF 00"));
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run("1A 00 19 00 FF 00"));
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run("1A 00 08 01 FF 00"));
        assertGood(run("1A 00 3F FF FF 00"));
    }

    @Test
    void modeSelectClearsWriteCache() {
        byte[] current = run("1A 08 08 00 FF 00").data();
        byte[] list = current.clone();
        list[0] = 0;
        list[6] = 0; // WCE off
        assertGood(run(cdb("15 10 00 00 18 00"), list));
        assertEquals(0, run("1A 08 08 00 FF 00").u8(6));
        byte[] ten = new byte[8 + 20];
        System.arraycopy(current, 4, ten, 8, 20);
        assertGood(run(cdb("55 10 00 00 00 00 00 00 1C 00"), ten)); // WCE back on
        assertEquals(0x04, run("1A 08 08 00 FF 00").u8(6));
        assertGood(run(cdb("15 10 00 00 00 00"))); // empty list
    }

    @Test
    void modeSelectRefusesWhatItCannotHonour() {
        byte[] list = run("1A 00 0A 00 FF 00").data();
        list[0] = 0;
        byte[] dsense = list.clone();
        dsense[4 + 8 + 2] |= 0x04; // D_SENSE
        assertCheck(Sense.INVALID_FIELD_IN_PARAMETER_LIST, run(cdb("15 10 00 00 18 00"), dsense));
        byte[] blockSize = list.clone();
        blockSize[4 + 6] = 0x10; // 4096-byte blocks
        assertCheck(Sense.INVALID_FIELD_IN_PARAMETER_LIST, run(cdb("15 10 00 00 18 00"), blockSize));
        byte[] badLength = list.clone();
        badLength[4 + 8 + 1] = 0x0B;
        assertCheck(Sense.INVALID_FIELD_IN_PARAMETER_LIST, run(cdb("15 10 00 00 18 00"), badLength));
        assertCheck(Sense.PARAMETER_LIST_LENGTH_ERROR, run(cdb("15 10 00 00 18 00"), Arrays.copyOf(list, 10)));
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run(cdb("15 11 00 00 18 00"), list)); // SP
        assertGood(run(cdb("15 10 00 00 18 00"), list));
    }

    @Test
    void writeThroughWhenCacheDisabled() {
        LogicalUnit probe = new LogicalUnit(volume);
        assertTrue(probe.writeCacheEnabled());
        probe.writeCacheEnabled(false);
        assertFalse(probe.writeCacheEnabled());
    }
}
