package io.tamp.datapath.scsi;

import io.tamp.datapath.frontend.LunMap;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PersistentReservationsTest extends ScsiFixture {
    static final long KEY1 = 0x1111;
    static final long KEY2 = 0x2222;

    @BeforeEach
    void loginBoth() {
        login(PORT);
        login(PORT2);
    }

    static byte[] out(int action, int type) {
        byte[] c = new byte[10];
        c[0] = 0x5F;
        c[1] = (byte) action;
        c[2] = (byte) type;
        c[8] = 24;
        return c;
    }

    static byte[] params(long key, long saKey) {
        byte[] p = new byte[24];
        InquiryCommands.putU64(p, 0, key);
        InquiryCommands.putU64(p, 8, saKey);
        return p;
    }

    Result prOut(String port, int action, int type, long key, long saKey) {
        return run(port, 0, out(action, type), params(key, saKey));
    }

    Result prIn(String port, int action) {
        return run(port, 0, cdb("5E 0" + action + " 00 00 00 00 00 04 00 00"), null);
    }

    Result read(String port) {
        return run(port, 0, rw10(0x28, 0, 0, 1), null);
    }

    Result write(String port) {
        return run(port, 0, rw10(0x2A, 0, 0, 1), new byte[512]);
    }

    @Test
    void registerAndReadKeys() {
        assertGood(prOut(PORT, 0, 0, 0, KEY1));
        assertGood(prOut(PORT2, 6, 0, 999, KEY2)); // REGISTER AND IGNORE
        Result keys = prIn(PORT, 0);
        assertGood(keys);
        assertEquals(2, keys.u32(0));
        assertEquals(16, keys.u32(4));
        assertEquals(KEY1, keys.u64(8));
        assertEquals(KEY2, keys.u64(16));
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, prOut(PORT, 0, 0, 0xBAD, 0x3333).status());
        assertGood(prOut(PORT, 0, 0, KEY1, 0)); // unregister
        assertEquals(1, prIn(PORT, 0).u32(4) / 8);
    }

    @Test
    void writeExclusiveBlocksOthersWritesOnly() {
        assertGood(prOut(PORT, 0, 0, 0, KEY1));
        assertGood(prOut(PORT, 1, 1, KEY1, 0));
        Result r = prIn(PORT2, 1);
        assertEquals(16, r.u32(4));
        assertEquals(KEY1, r.u64(8));
        assertEquals(1, r.u8(21));
        assertGood(write(PORT));
        assertGood(read(PORT2));
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, write(PORT2).status());
        assertGood(run(PORT2, 0, cdb("25 00 00 00 00 00 00 00 00 00"), null));
        assertCheck(Sense.INVALID_RELEASE_OF_PERSISTENT_RESERVATION, prOut(PORT, 2, 3, KEY1, 0));
        assertGood(prOut(PORT, 2, 1, KEY1, 0));
        assertGood(write(PORT2));
        assertEquals(8, prIn(PORT, 1).data().length);
    }

    @Test
    void exclusiveAccessRegistrantsOnly() {
        assertGood(prOut(PORT, 0, 0, 0, KEY1));
        assertGood(prOut(PORT, 1, 6, KEY1, 0));
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, read(PORT2).status());
        assertGood(prOut(PORT2, 0, 0, 0, KEY2));
        assertGood(read(PORT2));
        assertGood(write(PORT2));
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, prOut(PORT2, 1, 6, KEY2, 0).status());
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, prOut(PORT2, 1, 1, 0x9, 0).status()); // wrong key
    }

    @Test
    void allRegistrantsTypeOutlivesItsReserver() {
        assertGood(prOut(PORT, 0, 0, 0, KEY1));
        assertGood(prOut(PORT2, 0, 0, 0, KEY2));
        assertGood(prOut(PORT, 1, 8, KEY1, 0));
        assertEquals(0, prIn(PORT, 1).u64(8)); // all-registrants: key 0
        assertGood(prOut(PORT, 0, 0, KEY1, 0));
        assertEquals(8, prIn(PORT, 1).u8(21));
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, read(PORT).status());
        assertGood(read(PORT2));
    }

    @Test
    void preemptTakesOverAndRemovesTheHolder() {
        assertGood(prOut(PORT, 0, 0, 0, KEY1));
        assertGood(prOut(PORT2, 0, 0, 0, KEY2));
        assertGood(prOut(PORT, 1, 3, KEY1, 0));
        assertGood(prOut(PORT2, 4, 1, KEY2, KEY1));
        Result res = prIn(PORT2, 1);
        assertEquals(KEY2, res.u64(8));
        assertEquals(1, res.u8(21));
        assertCheck(Sense.REGISTRATIONS_PREEMPTED, read(PORT));
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, write(PORT).status());
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, prOut(PORT2, 4, 1, KEY2, 0x7777).status());
        assertCheck(Sense.INVALID_FIELD_IN_PARAMETER_LIST, prOut(PORT2, 4, 1, KEY2, 0));
    }

    @Test
    void clearRemovesEverything() {
        assertGood(prOut(PORT, 0, 0, 0, KEY1));
        assertGood(prOut(PORT2, 0, 0, 0, KEY2));
        assertGood(prOut(PORT, 1, 1, KEY1, 0));
        assertGood(prOut(PORT, 3, 0, KEY1, 0));
        assertEquals(0, prIn(PORT, 0).u32(4));
        assertEquals(0, prIn(PORT, 1).u32(4));
        assertCheck(Sense.RESERVATIONS_PREEMPTED, write(PORT2));
        assertGood(write(PORT2));
    }

    @Test
    void reportCapabilitiesAndParameterErrors() {
        Result caps = prIn(PORT, 2);
        assertEquals(8, caps.data().length);
        assertEquals(8, caps.u16(0));
        assertEquals(0xEA, caps.u8(4));
        assertEquals(0x01, caps.u8(5));
        assertCheck(Sense.INVALID_FIELD_IN_CDB, prIn(PORT, 4));
        byte[] shortList = out(0, 0);
        shortList[8] = 20;
        assertCheck(Sense.PARAMETER_LIST_LENGTH_ERROR, run(PORT, 0, shortList, new byte[20]));
        byte[] allTargetPorts = params(0, KEY1);
        allTargetPorts[20] = 0x04;
        assertCheck(Sense.INVALID_FIELD_IN_PARAMETER_LIST, run(PORT, 0, out(0, 0), allTargetPorts));
        assertGood(prOut(PORT, 0, 0, 0, KEY1));
        assertCheck(Sense.INVALID_FIELD_IN_CDB, prOut(PORT, 1, 2, KEY1, 0)); // type 2 is obsolete
        assertCheck(Sense.INVALID_FIELD_IN_CDB, prOut(PORT, 1, 0x11, KEY1, 0)); // scope
        assertCheck(Sense.INVALID_FIELD_IN_CDB, run(PORT, 0, cdb("5F 05 00 00 00 00 00 00 18 00"), params(0, 0)));
    }

    @Test
    void reserve6AndRelease6() {
        assertGood(run(PORT, 0, cdb("16 00 00 00 00 00"), null));
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, read(PORT2).status());
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, run(PORT2, 0, cdb("16 00 00 00 00 00"), null).status());
        assertGood(run(PORT2, 0, cdb("12 00 00 00 24 00"), null));
        assertGood(run(PORT2, 0, cdb("17 00 00 00 00 00"), null)); // not the holder: no effect
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, read(PORT2).status());
        assertGood(read(PORT));
        assertGood(run(PORT, 0, cdb("17 00 00 00 00 00"), null));
        assertGood(read(PORT2));
        assertGood(prOut(PORT, 0, 0, 0, KEY1));
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, run(PORT2, 0, cdb("16 00 00 00 00 00"), null).status());
    }

    @Test
    void readFullStatusNamesEachRegistrantAndTheHolder() {
        assertEquals(0, prIn(PORT, 3).u32(4));
        assertGood(prOut(PORT, 0, 0, 0, KEY1));
        assertGood(prOut(PORT2, 0, 0, 0, KEY2));
        assertGood(prOut(PORT2, 1, 1, KEY2, 0)); // WRITE EXCLUSIVE held by PORT2
        Result full = prIn(PORT, 3);
        assertEquals(2, full.u32(0), "generation counts the registrations");
        byte[] d = full.data();
        int at = 8;
        for (String port : new String[] {PORT, PORT2}) {
            assertEquals(port.equals(PORT) ? KEY1 : KEY2, java.nio.ByteBuffer.wrap(d, at, 8).getLong());
            boolean holder = port.equals(PORT2);
            assertEquals(holder ? 1 : 0, d[at + 12] & 0x01, "R_HOLDER of " + port);
            assertEquals(holder ? 1 : 0, d[at + 13] & 0x0f, "TYPE of " + port);
            assertEquals(1, full.u16(at + 18), "relative target port");
            int idLength = (int) full.u32(at + 20);
            assertEquals(0x45, d[at + 24] & 0xff, "iSCSI TransportID with ISID");
            assertEquals(idLength - 4, full.u16(at + 26));
            assertEquals(0, idLength % 4);
            String name = new String(d, at + 28, port.length(), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(port, name);
            assertEquals(0, d[at + 28 + port.length()], "NUL-terminated");
            at += 24 + idLength;
        }
        assertEquals(d.length, at);
        assertEquals(d.length - 8, full.u32(4));
    }

    /** Reopens the engine and builds a new ScsiDisk on it: what a controller restart does. */
    private void restart() throws Exception {
        closeEngine();
        engine = io.tamp.datapath.volume.Engine.open(io.tamp.datapath.volume.EngineConfig.small(dir, 2, 64L << 20));
        volume = engine.volume("v");
        lunMap = new LunMap();
        lunMap.map(IQN, 0, volume);
        workers = java.util.concurrent.Executors.newFixedThreadPool(2);
        disk = new ScsiDisk(lunMap, workers);
        loginBoth();
    }

    @Test
    void registrationsAndReservationWithAptplSurviveARestartAndWithoutItDoNot() throws Exception {
        byte[] aptpl = params(0, KEY1);
        aptpl[20] = 0x01;
        assertGood(prOut(PORT2, 0, 0, 0, KEY2)); // without APTPL...
        assertGood(run(PORT, 0, out(0, 0), aptpl)); // ...then with it: the last REGISTER decides (SPC-4 5.9.5)
        assertGood(prOut(PORT, 1, 3, KEY1, 0)); // EXCLUSIVE ACCESS
        assertEquals(0x01, prIn(PORT, 2).u8(3) & 0x01, "PTPL_A");
        restart();
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, read(PORT2).status(), "the reservation came back");
        assertGood(read(PORT));
        Result keys = prIn(PORT2, 0);
        assertEquals(16, keys.u32(4), "both registrations came back");
        assertEquals(KEY2, keys.u64(8), "in registration order");
        assertEquals(2, keys.u32(0), "and the generation");

        assertGood(prOut(PORT, 2, 3, KEY1, 0)); // RELEASE
        assertGood(prOut(PORT, 0, 0, KEY1, KEY1)); // REGISTER again, APTPL now 0
        assertEquals(0, prIn(PORT, 2).u8(3) & 0x01, "PTPL_A off");
        restart();
        assertEquals(0, prIn(PORT, 0).u32(4), "without APTPL a restart forgets the registrations");
        assertEquals(null, volume.attribute("scsi.pr"));
    }

    @Test
    void nexusLossReleasesReserve6ButNotPersistentReservations() {
        assertGood(run(PORT, 0, cdb("16 00 00 00 00 00"), null));
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, read(PORT2).status());
        disk.nexusLost(PORT);
        assertGood(read(PORT2));
        assertGood(run(PORT2, 0, cdb("16 00 00 00 00 00"), null));
        assertGood(run(PORT2, 0, cdb("17 00 00 00 00 00"), null));

        assertGood(prOut(PORT, 0, 0, 0, KEY1));
        assertGood(prOut(PORT, 1, 3, KEY1, 0)); // EXCLUSIVE ACCESS
        disk.nexusLost(PORT);
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, read(PORT2).status(), "persistent: survives the nexus");
    }

    @Test
    void logicalUnitResetReleasesReserve6AndTellsOthers() {
        assertGood(run(PORT, 0, cdb("16 00 00 00 00 00"), null));
        assertEquals(ScsiTarget.TMF_FUNCTION_COMPLETE,
                disk.taskManagement(ScsiTarget.TaskFunction.LOGICAL_UNIT_RESET, PORT, 0, 0));
        assertCheck(Sense.POWER_ON_RESET, read(PORT2));
        assertGood(read(PORT2));
        assertEquals(ScsiTarget.TMF_TASK_DOES_NOT_EXIST,
                disk.taskManagement(ScsiTarget.TaskFunction.ABORT_TASK, PORT, 0, 12345));
        assertEquals(ScsiTarget.TMF_LUN_DOES_NOT_EXIST,
                disk.taskManagement(ScsiTarget.TaskFunction.LOGICAL_UNIT_RESET, PORT, 9, 0));
    }
}
