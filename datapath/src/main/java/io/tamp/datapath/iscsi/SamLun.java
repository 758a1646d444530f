package io.tamp.datapath.iscsi;

/**
 * The 8-byte SAM LUN structure (SAM-5 §4.7) of single-level LUNs, as iSCSI carries it in the
 * BHS: peripheral device addressing (method 00, LUNs 0-255) and flat space addressing
 * (method 01, LUNs 0-16383). Multi-level and other methods are not ours to decode.
 */
final class SamLun {
    /** What {@link #decode} returns for a structure we do not address; no LU has it. */
    static final long UNSUPPORTED = -1;

    private static final int METHOD_PERIPHERAL = 0;
    private static final int METHOD_FLAT = 1;

    private SamLun() {
    }

    static long decode(long lunField) {
        int byte0 = (int) (lunField >>> 56) & 0xff;
        int byte1 = (int) (lunField >>> 48) & 0xff;
        if ((lunField & 0x0000_ffff_ffff_ffffL) != 0) {
            return UNSUPPORTED;
        }
        return switch (byte0 >>> 6) {
            case METHOD_PERIPHERAL -> byte0 == 0 ? byte1 : UNSUPPORTED;
            case METHOD_FLAT -> (byte0 & 0x3f) << 8 | byte1;
            default -> UNSUPPORTED;
        };
    }

    /** The single-level structure for {@code lun} (peripheral below 256, flat above). */
    static long encode(long lun) {
        if (lun < 0 || lun > 0x3fff) {
            throw new IllegalArgumentException("LUN " + lun);
        }
        long first2 = lun < 256 ? lun : 0x4000 | lun;
        return first2 << 48;
    }
}
