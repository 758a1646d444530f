package io.tamp.datapath.scsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class InquiryCommandsTest extends ScsiFixture {

    @Test
    void standardInquiry() {
        Result r = run("12 00 00 00 FF 00");
        assertGood(r);
        assertEquals(74, r.data().length);
        assertEquals(0x00, r.u8(0));
        assertEquals(0x06, r.u8(2));
        assertEquals(0x12, r.u8(3)); // HISUP, format 2
        assertEquals(69, r.u8(4));
        assertEquals(0x02, r.u8(7)); // CMDQUE
        assertEquals("TAMP    ", new String(r.data(), 8, 8, StandardCharsets.US_ASCII));
        assertEquals("Tamp Volume     ", new String(r.data(), 16, 16, StandardCharsets.US_ASCII));
        assertEquals(0x0460, r.u16(60));
    }

    @Test
    void inquiryReturnsNoMoreThanTheAllocationLength() {
        assertEquals(36, run("12 00 00 00 24 00").data().length);
        Result none = run("12 00 00 00 00 00");
        assertGood(none);
        assertNull(none.data());
    }

    @Test
    void inquiryOnUnmappedLunSaysNotConnected() {
        Result r = run(PORT, 5, cdb("12 00 00 00 FF 00"), null);
        assertGood(r);
        assertEquals(0x7F, r.u8(0));
        assertCheck(Sense.LOGICAL_UNIT_NOT_SUPPORTED, run(PORT, 5, cdb("00 00 00 00 00 00"), null));
        assertCheck(Sense.LOGICAL_UNIT_NOT_SUPPORTED, run(PORT, 5, cdb("12 01 80 00 FF 00"), null));
    }

    @Test
    void inquiryFieldErrors() {
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run("12 00 80 00 FF 00")); // page without EVPD
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run("12 02 00 00 FF 00")); // CMDDT
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run("12 01 C7 00 FF 00")); // unknown page
    }

    @Test
    void supportedVpdPages() {
        Result r = run("12 01 00 00 FF 00");
        assertGood(r);
        assertArrayEquals(cdb("00 00 00 06 00 80 83 B0 B1 B2"), r.data());
    }

    @Test
    void unitSerialNumber() {
        Result r = run("12 01 80 00 FF 00");
        assertGood(r);
        assertEquals(0x80, r.u8(1));
        assertEquals(16, r.u16(2));
        assertEquals(String.format("%016x", volume.serial()), new String(r.data(), 4, 16, StandardCharsets.US_ASCII));
    }

    @Test
    void deviceIdentification() {
        Result r = run("12 01 83 00 FF 00");
        assertGood(r);
        assertEquals(0x83, r.u8(1));
        assertEquals(r.data().length - 4, r.u16(2));
        assertEquals(0x01, r.u8(4)); // binary
        assertEquals(0x03, r.u8(5)); // LU, NAA
        assertEquals(16, r.u8(7));
        assertEquals(6, r.u8(8) >>> 4);
        assertEquals(io.tamp.datapath.frontend.VolumeIds.IEEE_COMPANY_ID, (int) (r.u64(8) >>> 36) & 0xFFFFFF);
        assertEquals(volume.serial(), r.u64(16));
        int t10 = 24;
        assertEquals(0x02, r.u8(t10));
        assertEquals(0x01, r.u8(t10 + 1));
        assertEquals("TAMP    " + String.format("%016x", volume.serial()),
                new String(r.data(), t10 + 4, r.u8(t10 + 3), StandardCharsets.US_ASCII));
    }

    @Test
    void blockLimits() {
        Result r = run("12 01 B0 00 FF 00");
        assertGood(r);
        assertEquals(64, r.data().length);
        assertEquals(0x3C, r.u16(2));
        assertEquals(InquiryCommands.MAX_COMPARE_AND_WRITE_BLOCKS, r.u8(5));
        assertEquals(8, r.u16(6));
        assertEquals(InquiryCommands.MAX_TRANSFER_BLOCKS, r.u32(8));
        assertEquals(InquiryCommands.MAX_UNMAP_BLOCKS, r.u32(20));
        assertEquals(InquiryCommands.MAX_UNMAP_DESCRIPTORS, r.u32(24));
        assertEquals(8, r.u32(28));
        assertEquals(InquiryCommands.MAX_WRITE_SAME_BLOCKS, r.u64(36));
    }

    @Test
    void rotationRateAndProvisioning() {
        Result b1 = run("12 01 B1 00 FF 00");
        assertEquals(0x3C, b1.u16(2));
        assertEquals(1, b1.u16(4));
        Result b2 = run("12 01 B2 00 FF 00");
        assertEquals(4, b2.u16(2));
        assertEquals(0xE4, b2.u8(5)); // LBPU LBPWS LBPWS10 LBPRZ
        assertEquals(2, b2.u8(6) & 0x07);
    }

    @Test
    void reportLuns() {
        lunMap.map(IQN, 300, engine.createVolume("w", 1 << 20));
        Result r = run("A0 00 00 00 00 00 00 00 00 10 00 00");
        assertGood(r);
        assertEquals(16, r.data().length); // truncated to the allocation length
        assertEquals(16, r.u32(0));
        Result all = run("A0 02 00 00 00 00 00 00 01 00 00 00".replace("A0 02 00", "A0 00 02"));
        assertEquals(24, all.data().length);
        assertEquals(0, all.u64(8));
        assertEquals(0x412C_0000_0000_0000L, all.u64(16)); // flat space, LUN 300
        Result wellKnown = run("A0 00 01 00 00 00 00 00 01 00 00 00");
        assertEquals(0, wellKnown.u32(0));
    }

    @Test
    void reportLunsErrorsAndUnmappedInitiator() {
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run("A0 00 00 00 00 00 00 00 00 08 00 00"));
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run("A0 00 10 00 00 00 00 00 01 00 00 00"));
        ScsiResponse r = disk.execute(new ScsiCommand("other,i,0x1", "iqn.other", 3,
                cdb("A0 00 00 00 00 00 00 00 01 00 00 00"), 256, null, 1)).join();
        byte[] d = new byte[r.dataIn().readableBytes()];
        r.dataIn().readBytes(d).release();
        assertEquals(0, r.dataIn().refCnt());
        assertArrayEquals(new byte[8], d);
    }

    @Test
    void unitAttentionsAfterLoginResizeAndLunChange() {
        assertGood(run("12 00 00 00 24 00")); // INQUIRY does not report it
        login(PORT);
        assertGood(run("00 00 00 00 00 00"));
        engine.resizeVolume(volume, 16L << 20);
        disk.capacityChanged(volume);
        assertCheck(Sense.CAPACITY_DATA_HAS_CHANGED, run("00 00 00 00 00 00"));
        assertGood(run("00 00 00 00 00 00"));
        lunMap.map(IQN, 1, engine.createVolume("w", 1 << 20));
        Result sense = run("03 00 00 00 12 00"); // REQUEST SENSE returns and clears it
        assertGood(sense);
        assertEquals(Sense.REPORTED_LUNS_DATA_HAS_CHANGED, Sense.parse(sense.data()));
        assertGood(run("00 00 00 00 00 00"));
        disk.nexusStarted(PORT);
        assertCheck(Sense.POWER_ON_RESET, run("00 00 00 00 00 00"));
    }

    @Test
    void requestSenseWithoutConditionAndErrors() {
        Result first = run("03 00 00 00 FC 00");
        assertGood(first);
        assertEquals(Sense.POWER_ON_RESET, Sense.parse(first.data()));
        Result r = run("03 00 00 00 FC 00");
        assertGood(r);
        assertEquals(18, r.data().length);
        assertEquals(0x70, r.u8(0));
        assertEquals(Sense.NO_SENSE.key(), r.u8(2));
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run("03 01 00 00 FC 00"));
        Result unmapped = run(PORT, 9, cdb("03 00 00 00 FC 00"), null);
        assertGood(unmapped);
        assertEquals(Sense.LOGICAL_UNIT_NOT_SUPPORTED, Sense.parse(unmapped.data()));
    }

    @Test
    void unknownOpcodeAndShortCdb() {
        login(PORT);
        assertCheck(Sense.INVALID_COMMAND_OPERATION_CODE, run("C1 00 00 00 00 00"));
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run("28 00 00 00"));
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run("9E 1F 00 00 00 00 00 00 00 00 00 00 00 20 00 00"));
        assertGood(run("1B 00 00 00 01 00")); // START STOP UNIT
        assertGood(run("1E 00 00 00 01 00")); // PREVENT ALLOW MEDIUM REMOVAL
    }
}
