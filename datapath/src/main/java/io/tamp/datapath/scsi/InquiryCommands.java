package io.tamp.datapath.scsi;

import io.tamp.datapath.volume.Volume;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.NavigableMap;

/**
 * INQUIRY (standard data and the VPD pages a Linux or qemu initiator reads), REPORT LUNS and
 * REQUEST SENSE (SPC-4 6.6, 7.8, 6.33, 6.39).
 *
 * <pre>
 * standard INQUIRY data (74 bytes)
 *  0 qualifier(7..5) | device type(4..0)    1 RMB         2 VERSION 0x06 (SPC-4)
 *  3 NORMACA HISUP(4) | response format 2    4 ADDITIONAL LENGTH (n - 5)
 *  5 SCCS ACC TPGS 3PC PROTECT   6 ENCSERV MULTIP   7 CMDQUE(1)
 *  8..15 T10 VENDOR   16..31 PRODUCT   32..35 REVISION   58..73 version descriptors
 * </pre>
 */
final class InquiryCommands {
    static final String VENDOR = "TAMP    ";
    static final String PRODUCT = "Tamp Volume     ";
    static final String REVISION = "0001";
    static final int STANDARD_LENGTH = 74;
    static final int PQ_NOT_CONNECTED = 0x7F;
    static final int VERSION_SPC4 = 0x06;
    static final int[] VERSION_DESCRIPTORS = {0x00A0 /* SAM-5 */, 0x0460 /* SPC-4 */, 0x04C0 /* SBC-3 */};
    static final int[] VPD_PAGES = {0x00, 0x80, 0x83, 0xB0, 0xB1, 0xB2};
    /** Block limits (VPD 0xB0), in 512-byte blocks. */
    /** 32 MiB: VMware ESXi's largest I/O (Disk.DiskMaxIOSize) fits in one command. */
    static final int MAX_TRANSFER_BLOCKS = 65536;
    static final int OPTIMAL_GRANULARITY_BLOCKS = 8;
    static final int OPTIMAL_TRANSFER_BLOCKS = 2048;
    static final long MAX_UNMAP_BLOCKS = 1L << 20;
    static final int MAX_UNMAP_DESCRIPTORS = 256;
    static final long MAX_WRITE_SAME_BLOCKS = 1L << 22;
    static final int MAX_COMPARE_AND_WRITE_BLOCKS = 128;

    private InquiryCommands() {
    }

    static ScsiResponse inquiry(Task t) {
        Cdb cdb = t.cdb();
        boolean evpd = cdb.bit(1, 0);
        int page = cdb.u8(2);
        int allocation = cdb.u16(3);
        if (cdb.bit(1, 1) || (!evpd && page != 0)) {
            return Task.check(Sense.INVALID_FIELD_IN_CDB);
        }
        if (!evpd) {
            return t.data(standard(t.lu() == null ? PQ_NOT_CONNECTED : 0x00), allocation);
        }
        if (t.lu() == null) {
            return Task.check(Sense.LOGICAL_UNIT_NOT_SUPPORTED);
        }
        Volume v = t.volume();
        byte[] body = switch (page) {
            case 0x00 -> supportedPages();
            case 0x80 -> ascii(serialNumber(v));
            case 0x83 -> deviceIdentification(v);
            case 0xB0 -> blockLimits();
            case 0xB1 -> blockDeviceCharacteristics();
            case 0xB2 -> provisioning();
            default -> null;
        };
        if (body == null) {
            return Task.check(Sense.INVALID_FIELD_IN_CDB);
        }
        byte[] out = new byte[4 + body.length];
        out[1] = (byte) page;
        putU16(out, 2, body.length);
        System.arraycopy(body, 0, out, 4, body.length);
        return t.data(out, allocation);
    }

    static byte[] standard(int peripheral) {
        byte[] b = new byte[STANDARD_LENGTH];
        b[0] = (byte) peripheral;
        b[2] = VERSION_SPC4;
        b[3] = 0x10 | 0x02; // HISUP, response data format 2
        b[4] = (byte) (STANDARD_LENGTH - 5);
        b[7] = 0x02; // CMDQUE
        putAscii(b, 8, VENDOR);
        putAscii(b, 16, PRODUCT);
        putAscii(b, 32, REVISION);
        for (int i = 0; i < VERSION_DESCRIPTORS.length; i++) {
            putU16(b, 58 + 2 * i, VERSION_DESCRIPTORS[i]);
        }
        return b;
    }

    /** Unit serial number: the volume's random 64-bit identity in 16 hex digits. */
    static String serialNumber(Volume v) {
        return String.format("%016x", v.serial());
    }

    private static byte[] supportedPages() {
        byte[] b = new byte[VPD_PAGES.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) VPD_PAGES[i];
        }
        return b;
    }

    /**
     * Two LU designators: NAA 6 (IEEE Registered Extended: NAA | company id | 36-bit vendor id = volume
     * id | 64-bit extension = serial) and T10 vendor id ("TAMP    " + serial).
     */
    private static byte[] deviceIdentification(Volume v) {
        byte[] naa = io.tamp.datapath.frontend.VolumeIds.naa(v);
        byte[] t10 = ascii(VENDOR + serialNumber(v));
        byte[] out = new byte[4 + naa.length + 4 + t10.length];
        out[0] = 0x01; // code set binary
        out[1] = 0x03; // association LU, designator type NAA
        out[3] = (byte) naa.length;
        System.arraycopy(naa, 0, out, 4, naa.length);
        int at = 4 + naa.length;
        out[at] = 0x02; // code set ASCII
        out[at + 1] = 0x01; // association LU, designator type T10 vendor id
        out[at + 3] = (byte) t10.length;
        System.arraycopy(t10, 0, out, at + 4, t10.length);
        return out;
    }

    /** VPD 0xB0 body (bytes 4..63 of the page). */
    private static byte[] blockLimits() {
        byte[] p = new byte[64];
        p[4] = 0x01; // WSNZ: WRITE SAME with zero blocks is refused
        p[5] = (byte) MAX_COMPARE_AND_WRITE_BLOCKS;
        putU16(p, 6, OPTIMAL_GRANULARITY_BLOCKS);
        putU32(p, 8, MAX_TRANSFER_BLOCKS);
        putU32(p, 12, OPTIMAL_TRANSFER_BLOCKS);
        putU32(p, 20, MAX_UNMAP_BLOCKS);
        putU32(p, 24, MAX_UNMAP_DESCRIPTORS);
        putU32(p, 28, OPTIMAL_GRANULARITY_BLOCKS);
        putU32(p, 32, 0x8000_0000L); // UGAVALID, alignment 0
        putU64(p, 36, MAX_WRITE_SAME_BLOCKS);
        return java.util.Arrays.copyOfRange(p, 4, 64);
    }

    /** VPD 0xB1 body: MEDIUM ROTATION RATE 1 (non-rotating). */
    private static byte[] blockDeviceCharacteristics() {
        byte[] p = new byte[60];
        putU16(p, 0, 0x0001);
        return p;
    }

    /** VPD 0xB2 body: LBPU, LBPWS, LBPWS10, LBPRZ; provisioning type thin. */
    private static byte[] provisioning() {
        byte[] p = new byte[4];
        p[1] = (byte) (0x80 | 0x40 | 0x20 | 0x04);
        p[2] = 0x02;
        return p;
    }

    static ScsiResponse reportLuns(Task t, NavigableMap<Long, Volume> luns) {
        Cdb cdb = t.cdb();
        int select = cdb.u8(2);
        long allocation = cdb.u32(6);
        if (select > 0x02 || allocation < 16) {
            return Task.check(Sense.INVALID_FIELD_IN_CDB);
        }
        // select 1 asks for well-known LUs only; this target has none
        int n = select == 0x01 ? 0 : luns.size();
        byte[] out = new byte[8 + 8 * n];
        putU32(out, 0, 8L * n);
        int at = 8;
        for (Map.Entry<Long, Volume> e : select == 0x01 ? Map.<Long, Volume>of().entrySet() : luns.entrySet()) {
            long lun = e.getKey();
            if (lun < 256) {
                out[at + 1] = (byte) lun; // peripheral device addressing
            } else {
                out[at] = (byte) (0x40 | lun >>> 8); // flat space addressing
                out[at + 1] = (byte) lun;
            }
            at += 8;
        }
        return t.data(out, allocation);
    }

    /** REQUEST SENSE: the pending condition (then cleared), or NO SENSE; fixed format only. */
    static ScsiResponse requestSense(Task t, Sense pending) {
        if (t.cdb().bit(1, 0)) {
            return Task.check(Sense.INVALID_FIELD_IN_CDB);
        }
        Sense s = pending == null ? Sense.NO_SENSE : pending;
        return t.data(s.bytes(), t.cdb().u8(4));
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static void putAscii(byte[] b, int at, String s) {
        byte[] a = ascii(s);
        System.arraycopy(a, 0, b, at, a.length);
    }

    static void putU16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    static void putU32(byte[] b, int at, long v) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (v >>> (24 - 8 * i));
        }
    }

    static void putU64(byte[] b, int at, long v) {
        for (int i = 0; i < 8; i++) {
            b[at + i] = (byte) (v >>> (56 - 8 * i));
        }
    }
}
