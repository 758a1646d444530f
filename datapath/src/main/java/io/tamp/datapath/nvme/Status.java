package io.tamp.datapath.nvme;

import io.tamp.datapath.volume.IoStatus;

/**
 * NVMe status values as the 15-bit Status Field of a completion (bits 15:1 of CQE DW3[31:16]):
 * SC in bits 7:0, SCT in 10:8, DNR in 14 — this class keeps them shifted down by one, so
 * {@code status << 1} is the wire value with the phase bit clear.
 */
public final class Status {
    public static final int SUCCESS = 0;
    private static final int DNR = 1 << 14;

    // Generic command status (SCT 0)
    public static final int INVALID_OPCODE = generic(0x01);
    public static final int INVALID_FIELD = generic(0x02);
    public static final int DATA_TRANSFER_ERROR = generic(0x04);
    public static final int INTERNAL_ERROR = 0x06; // may succeed if retried: no DNR
    public static final int ABORTED_BY_REQUEST = 0x07;
    public static final int ABORTED_SQ_DELETION = 0x08;
    public static final int INVALID_NAMESPACE = generic(0x0B);
    public static final int COMMAND_SEQUENCE_ERROR = generic(0x0C);
    public static final int SGL_DATA_LENGTH_INVALID = generic(0x0F);
    public static final int SGL_TYPE_INVALID = generic(0x11);
    public static final int NAMESPACE_WRITE_PROTECTED = generic(0x20);
    public static final int TRANSIENT_TRANSPORT_ERROR = 0x22;
    public static final int LBA_OUT_OF_RANGE = generic(0x80);
    public static final int CAPACITY_EXCEEDED = generic(0x81);

    // Command specific status (SCT 1)
    public static final int FEATURE_NOT_SAVEABLE = specific(0x0D);
    public static final int INVALID_LOG_PAGE = specific(0x09);
    public static final int ASYNC_EVENT_LIMIT_EXCEEDED = specific(0x05);
    public static final int CONNECT_INCOMPATIBLE_FORMAT = specific(0x80);
    public static final int CONNECT_CONTROLLER_BUSY = specific(0x81);
    public static final int CONNECT_INVALID_PARAMETERS = specific(0x82);
    public static final int CONNECT_INVALID_HOST = specific(0x84);

    // Media and data integrity errors (SCT 2)
    public static final int UNRECOVERED_READ_ERROR = media(0x81);
    public static final int COMPARE_FAILURE = media(0x85);

    private Status() {
    }

    private static int generic(int sc) {
        return DNR | sc;
    }

    private static int specific(int sc) {
        return DNR | 1 << 8 | sc;
    }

    private static int media(int sc) {
        return DNR | 2 << 8 | sc;
    }

    public static int sct(int status) {
        return status >>> 8 & 0x07;
    }

    public static int sc(int status) {
        return status & 0xFF;
    }

    public static boolean dnr(int status) {
        return (status & DNR) != 0;
    }

    /** The engine's outcome of a volume operation as NVMe sees it. */
    public static int of(IoStatus s) {
        return switch (s) {
            case OK -> SUCCESS;
            case NO_SPACE -> CAPACITY_EXCEEDED;
            case OUT_OF_RANGE -> LBA_OUT_OF_RANGE;
            case MEDIUM_ERROR -> UNRECOVERED_READ_ERROR;
            case NO_VOLUME -> INVALID_NAMESPACE;
            case MISALIGNED -> INVALID_FIELD;
            case READ_ONLY -> NAMESPACE_WRITE_PROTECTED;
            case IO_ERROR -> INTERNAL_ERROR;
        };
    }

    public static String describe(int status) {
        return String.format("SCT %d SC 0x%02x%s", sct(status), sc(status), dnr(status) ? " DNR" : "");
    }
}
