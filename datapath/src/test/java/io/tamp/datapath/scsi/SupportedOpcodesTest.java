package io.tamp.datapath.scsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SupportedOpcodesTest extends ScsiFixture {

    @BeforeEach
    void clearPowerOn() {
        login(PORT);
    }

    @Test
    void allCommands() {
        Result r = run("A3 0C 00 00 00 00 00 00 10 00 00 00");
        assertGood(r);
        int n = CommandTable.all().size();
        assertEquals(8L * n, r.u32(0));
        assertEquals(4 + 8 * n, r.data().length);
        assertEquals(0x00, r.u8(4)); // TEST UNIT READY first
        assertEquals(6, r.u16(10));
        boolean sawReadCapacity16 = false;
        for (int at = 4; at < r.data().length; at += 8) {
            if (r.u8(at) == 0x9E && r.u16(at + 2) == 0x10) {
                sawReadCapacity16 = (r.u8(at + 5) & 0x01) != 0 && r.u16(at + 6) == 16;
            }
        }
        assertEquals(true, sawReadCapacity16);
        Result timeouts = run("A3 0C 80 00 00 00 00 00 10 00 00 00");
        assertEquals(20L * n, timeouts.u32(0));
        assertEquals(0x02, timeouts.u8(9)); // TEST UNIT READY: CTDP, no service action
        assertEquals(0x0A, timeouts.u16(12)); // timeouts descriptor length
    }

    @Test
    void oneCommand() {
        Result r = run("A3 0C 01 28 00 00 00 00 01 00 00 00");
        assertGood(r);
        assertEquals(0x03, r.u8(1));
        assertEquals(10, r.u16(2));
        assertArrayEquals(cdb("28 18 FF FF FF FF 00 FF FF 00"), Arrays.copyOfRange(r.data(), 4, 14));
        Result sa = run("A3 0C 02 9E 00 12 00 00 01 00 00 00");
        assertEquals(0x03, sa.u8(1));
        assertEquals(0x12, sa.u8(5) & 0x1F);
        Result unsupported = run("A3 0C 01 C1 00 00 00 00 01 00 00 00");
        assertEquals(0x01, unsupported.u8(1));
        assertEquals(0, unsupported.u16(2));
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run("A3 0C 01 9E 00 00 00 00 01 00 00 00"));
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run("A3 0C 02 28 00 00 00 00 01 00 00 00"));
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run("A3 0C 07 28 00 00 00 00 01 00 00 00"));
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run("A3 0D 00 00 00 00 00 00 01 00 00 00"));
    }
}
