package io.tamp.datapath.scsi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CapacityCommandsTest extends ScsiFixture {

    @BeforeEach
    void clearPowerOn() {
        login(PORT);
    }

    @Test
    void readCapacity10() {
        Result r = run("25 00 00 00 00 00 00 00 00 00");
        assertGood(r);
        assertEquals(8, r.data().length);
        assertEquals(BLOCKS - 1, r.u32(0));
        assertEquals(512, r.u32(4));
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run("25 00 00 00 00 01 00 00 00 00"));
    }

    @Test
    void readCapacity10SaysUseSixteenWhenTooBig() {
        engine.resizeVolume(volume, 4L << 40); // nobody tells the SCSI layer: it notices
        assertCheck(Sense.CAPACITY_DATA_HAS_CHANGED, run("25 00 00 00 00 00 00 00 00 00"));
        login(PORT2); // a nexus that had not used the LU yet meets only its POWER ON
        assertEquals(0xFFFF_FFFFL, run("25 00 00 00 00 00 00 00 00 00").u32(0));
        assertEquals((4L << 40) / 512 - 1, run("9E 10 00 00 00 00 00 00 00 00 00 00 00 20 00 00").u64(0));
    }

    @Test
    void readCapacity16() {
        Result r = run("9E 10 00 00 00 00 00 00 00 00 00 00 00 20 00 00");
        assertGood(r);
        assertEquals(32, r.data().length);
        assertEquals(BLOCKS - 1, r.u64(0));
        assertEquals(512, r.u32(8));
        assertEquals(3, r.u8(13) & 0x0F);
        assertEquals(0xC0, r.u8(14));
        assertEquals(12, run("9E 10 00 00 00 00 00 00 00 00 00 00 00 0C 00 00").data().length);
    }

    @Test
    void getLbaStatusDescribesRuns() {
        assertGood(run(rw10(0x2A, 0, 16, 16), pattern(1, 16 * 512))); // 4 KiB blocks 2 and 3
        Result r = run("9E 12 00 00 00 00 00 00 00 04 00 00 10 00 00 00");
        assertGood(r);
        assertEquals(4 + 3 * 16, r.u32(0));
        assertEquals(4, r.u64(8));
        assertEquals(12, r.u32(16));
        assertEquals(1, r.u8(20)); // deallocated
        assertEquals(16, r.u64(24));
        assertEquals(16, r.u32(32));
        assertEquals(0, r.u8(36)); // mapped
        assertEquals(32, r.u64(40));
        assertEquals(1, r.u8(52));
        assertEquals(BLOCKS, r.u64(40) + r.u32(48));
    }

    @Test
    void getLbaStatusErrorsAndShortAllocation() {
        assertCheck(Sense.LBA_OUT_OF_RANGE, run(rw16(0x9E, 0x12, BLOCKS, 64)));
        Result header = run("9E 12 00 00 00 00 00 00 00 00 00 00 00 08 00 00");
        assertGood(header);
        assertEquals(8, header.data().length);
        assertEquals(4, header.u32(0));
    }
}
