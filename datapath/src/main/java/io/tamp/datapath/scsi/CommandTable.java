package io.tamp.datapath.scsi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

/**
 * Every command the disk implements, with what REPORT SUPPORTED OPERATION CODES says about it
 * (CDB USAGE DATA: the opcode, then per byte the bits the disk evaluates) and how reservations and
 * unit attentions treat it.
 */
final class CommandTable {
    static final int TEST_UNIT_READY = 0x00;
    static final int REQUEST_SENSE = 0x03;
    static final int READ_6 = 0x08;
    static final int WRITE_6 = 0x0A;
    static final int INQUIRY = 0x12;
    static final int MODE_SELECT_6 = 0x15;
    static final int RESERVE_6 = 0x16;
    static final int RELEASE_6 = 0x17;
    static final int MODE_SENSE_6 = 0x1A;
    static final int START_STOP_UNIT = 0x1B;
    static final int PREVENT_ALLOW_MEDIUM_REMOVAL = 0x1E;
    static final int READ_CAPACITY_10 = 0x25;
    static final int READ_10 = 0x28;
    static final int WRITE_10 = 0x2A;
    static final int WRITE_AND_VERIFY_10 = 0x2E;
    static final int VERIFY_10 = 0x2F;
    static final int SYNCHRONIZE_CACHE_10 = 0x35;
    static final int WRITE_SAME_10 = 0x41;
    static final int UNMAP = 0x42;
    static final int MODE_SELECT_10 = 0x55;
    static final int MODE_SENSE_10 = 0x5A;
    static final int PERSISTENT_RESERVE_IN = 0x5E;
    static final int PERSISTENT_RESERVE_OUT = 0x5F;
    static final int READ_16 = 0x88;
    static final int COMPARE_AND_WRITE = 0x89;
    static final int WRITE_16 = 0x8A;
    static final int WRITE_AND_VERIFY_16 = 0x8E;
    static final int VERIFY_16 = 0x8F;
    static final int SYNCHRONIZE_CACHE_16 = 0x91;
    static final int WRITE_SAME_16 = 0x93;
    static final int SERVICE_ACTION_IN_16 = 0x9E;
    static final int SAI_READ_CAPACITY_16 = 0x10;
    static final int SAI_GET_LBA_STATUS = 0x12;
    static final int REPORT_LUNS = 0xA0;
    static final int MAINTENANCE_IN = 0xA3;
    static final int MI_REPORT_SUPPORTED_OPERATION_CODES = 0x0C;
    static final int READ_12 = 0xA8;
    static final int WRITE_12 = 0xAA;

    /** What a reservation held by another nexus does to the command (SPC-4 5.9.1). */
    enum Access {
        /** Never conflicts with a persistent reservation. */
        ALLOWED,
        /** Reads the medium: conflicts under the Exclusive Access types. */
        READ,
        /** Changes the medium or the LU: conflicts under every type for non-holders. */
        WRITE
    }

    /**
     * @param serviceAction -1 when the opcode has none
     * @param uaExempt      runs without reporting a pending unit attention (INQUIRY, REPORT LUNS, REQUEST SENSE)
     * @param spc2Allowed   runs while another nexus holds a RESERVE(6) reservation
     */
    record Entry(int opcode, int serviceAction, Access access, boolean uaExempt, boolean spc2Allowed, byte[] usage) {
        int cdbLength() {
            return usage.length;
        }
    }

    private static final List<Entry> ENTRIES;

    static {
        List<Entry> e = new ArrayList<>();
        Access a = Access.ALLOWED;
        Access r = Access.READ;
        Access w = Access.WRITE;
        add(e, TEST_UNIT_READY, -1, a, false, false, "00 00 00 00 00 00");
        add(e, REQUEST_SENSE, -1, a, true, true, "03 01 00 00 FF 00");
        add(e, READ_6, -1, r, false, false, "08 1F FF FF FF 00");
        add(e, WRITE_6, -1, w, false, false, "0A 1F FF FF FF 00");
        add(e, INQUIRY, -1, a, true, true, "12 01 FF FF FF 00");
        add(e, MODE_SELECT_6, -1, w, false, false, "15 11 00 00 FF 00");
        add(e, RESERVE_6, -1, a, false, false, "16 00 00 00 00 00");
        add(e, RELEASE_6, -1, a, false, true, "17 00 00 00 00 00");
        add(e, MODE_SENSE_6, -1, a, false, false, "1A 08 FF FF FF 00");
        add(e, START_STOP_UNIT, -1, w, false, false, "1B 01 00 0F F7 00");
        add(e, PREVENT_ALLOW_MEDIUM_REMOVAL, -1, a, false, false, "1E 00 00 00 03 00");
        add(e, READ_CAPACITY_10, -1, a, false, false, "25 00 FF FF FF FF 00 00 01 00");
        add(e, READ_10, -1, r, false, false, "28 18 FF FF FF FF 00 FF FF 00");
        add(e, WRITE_10, -1, w, false, false, "2A 18 FF FF FF FF 00 FF FF 00");
        add(e, WRITE_AND_VERIFY_10, -1, w, false, false, "2E 12 FF FF FF FF 00 FF FF 00");
        add(e, VERIFY_10, -1, r, false, false, "2F 16 FF FF FF FF 00 FF FF 00");
        add(e, SYNCHRONIZE_CACHE_10, -1, w, false, false, "35 02 FF FF FF FF 00 FF FF 00");
        add(e, WRITE_SAME_10, -1, w, false, false, "41 08 FF FF FF FF 00 FF FF 00");
        add(e, UNMAP, -1, w, false, false, "42 00 00 00 00 00 00 FF FF 00");
        add(e, MODE_SELECT_10, -1, w, false, false, "55 11 00 00 00 00 00 FF FF 00");
        add(e, MODE_SENSE_10, -1, a, false, false, "5A 18 FF FF 00 00 00 FF FF 00");
        for (int sa : PersistentReservations.IN_SERVICE_ACTIONS) {
            add(e, PERSISTENT_RESERVE_IN, sa, a, false, false, "5E 1F 00 00 00 00 00 FF FF 00");
        }
        for (int sa : PersistentReservations.OUT_SERVICE_ACTIONS) {
            add(e, PERSISTENT_RESERVE_OUT, sa, a, false, false, "5F 1F FF 00 00 FF FF FF FF 00");
        }
        add(e, READ_16, -1, r, false, false, "88 18 FF FF FF FF FF FF FF FF FF FF FF FF 00 00");
        add(e, COMPARE_AND_WRITE, -1, w, false, false, "89 18 FF FF FF FF FF FF FF FF 00 00 00 FF 00 00");
        add(e, WRITE_16, -1, w, false, false, "8A 18 FF FF FF FF FF FF FF FF FF FF FF FF 00 00");
        add(e, WRITE_AND_VERIFY_16, -1, w, false, false, "8E 12 FF FF FF FF FF FF FF FF FF FF FF FF 00 00");
        add(e, VERIFY_16, -1, r, false, false, "8F 16 FF FF FF FF FF FF FF FF FF FF FF FF 00 00");
        add(e, SYNCHRONIZE_CACHE_16, -1, w, false, false, "91 02 FF FF FF FF FF FF FF FF FF FF FF FF 00 00");
        add(e, WRITE_SAME_16, -1, w, false, false, "93 09 FF FF FF FF FF FF FF FF FF FF FF FF 00 00");
        add(e, SERVICE_ACTION_IN_16, SAI_READ_CAPACITY_16, a, false, false,
                "9E 1F 00 00 00 00 00 00 00 00 FF FF FF FF 00 00");
        add(e, SERVICE_ACTION_IN_16, SAI_GET_LBA_STATUS, a, false, false,
                "9E 1F FF FF FF FF FF FF FF FF FF FF FF FF 00 00");
        add(e, REPORT_LUNS, -1, a, true, true, "A0 00 FF 00 00 00 FF FF FF FF 00 00");
        add(e, MAINTENANCE_IN, MI_REPORT_SUPPORTED_OPERATION_CODES, a, false, true,
                "A3 1F 87 FF FF FF FF FF FF FF 00 00");
        add(e, READ_12, -1, r, false, false, "A8 18 FF FF FF FF FF FF FF FF 00 00");
        add(e, WRITE_12, -1, w, false, false, "AA 18 FF FF FF FF FF FF FF FF 00 00");
        ENTRIES = Collections.unmodifiableList(e);
    }

    private static void add(List<Entry> list, int opcode, int sa, Access access, boolean uaExempt, boolean spc2Allowed,
                            String usageHex) {
        byte[] usage = HexFormat.of().parseHex(usageHex.replace(" ", ""));
        if (sa >= 0) {
            usage[1] = (byte) ((usage[1] & 0xE0) | sa);
        }
        list.add(new Entry(opcode, sa, access, uaExempt, spc2Allowed, usage));
    }

    private CommandTable() {
    }

    static List<Entry> all() {
        return ENTRIES;
    }

    /** The entry for opcode (and, for opcodes with service actions, the CDB's service action), or null. */
    static Entry find(int opcode, int serviceAction) {
        for (Entry e : ENTRIES) {
            if (e.opcode == opcode && (e.serviceAction < 0 || e.serviceAction == serviceAction)) {
                return e;
            }
        }
        return null;
    }

    static boolean knows(int opcode) {
        return ENTRIES.stream().anyMatch(e -> e.opcode == opcode);
    }

    static boolean hasServiceActions(int opcode) {
        return ENTRIES.stream().anyMatch(e -> e.opcode == opcode && e.serviceAction >= 0);
    }
}
