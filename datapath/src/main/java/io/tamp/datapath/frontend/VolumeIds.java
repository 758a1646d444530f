package io.tamp.datapath.frontend;

import io.tamp.datapath.volume.Volume;
import java.nio.ByteBuffer;
import java.util.HexFormat;

/**
 * The names a volume is known by on the wire, derived once here so SCSI VPD 0x83, NVMe Identify
 * and the management API agree: the NAA 6 designator (the volume's WWN) and the NVMe NGUID.
 */
public final class VolumeIds {
    /** IEEE company id in the NAA designator (a CID: its first octet ends in 1010b). */
    public static final int IEEE_COMPANY_ID = 0xDA7A3F;

    private VolumeIds() {
    }

    /** NAA 6 (IEEE Registered Extended): NAA | company id | 36-bit vendor id = volume id | 64-bit serial. */
    public static byte[] naa(Volume v) {
        long high = 6L << 60 | (long) IEEE_COMPANY_ID << 36 | (v.id() & 0xF_FFFF_FFFFL);
        return ByteBuffer.allocate(16).putLong(high).putLong(v.serial()).array();
    }

    /** NGUID: volume serial ‖ volume id. */
    public static byte[] nguid(Volume v) {
        return ByteBuffer.allocate(16).putLong(v.serial()).putLong(v.id()).array();
    }

    /** The WWN as hosts show it ("naa." + 32 hex digits, as Linux prints /dev/disk/by-id/wwn-0x...). */
    public static String wwn(Volume v) {
        return "naa." + HexFormat.of().formatHex(naa(v));
    }
}
