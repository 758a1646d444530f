package io.tamp.datapath.scsi;

import io.netty.buffer.ByteBuf;

/**
 * The outcome of a SCSI command: SAM status, sense data for CHECK CONDITION, and the bytes for
 * the initiator (the transport sends them, computes residuals against the expected length, and
 * releases the buffer).
 *
 * @param status SAM status byte: GOOD 0x00, CHECK CONDITION 0x02, BUSY 0x08, RESERVATION CONFLICT 0x18,
 *               TASK SET FULL 0x28, TASK ABORTED 0x40
 * @param sense  fixed-format sense data (SPC-4 4.5.3), or null
 * @param dataIn bytes for the initiator, or null
 * @param dataOutWanted for commands that read data-out by a length in the CDB (WRITE, WRITE AND
 *               VERIFY): the bytes the CDB asked for, against which the transport computes the
 *               residual of its expected length; -1 when the transport has nothing to report
 */
public record ScsiResponse(int status, byte[] sense, ByteBuf dataIn, long dataOutWanted) {
    public static final int GOOD = 0x00;
    public static final int CHECK_CONDITION = 0x02;
    public static final int BUSY = 0x08;
    public static final int RESERVATION_CONFLICT = 0x18;
    public static final int TASK_SET_FULL = 0x28;
    public static final int TASK_ABORTED = 0x40;

    public ScsiResponse(int status, byte[] sense, ByteBuf dataIn) {
        this(status, sense, dataIn, -1);
    }

    /** This response, reporting that the command wanted {@code bytes} of data-out. */
    public ScsiResponse withDataOutWanted(long bytes) {
        return new ScsiResponse(status, sense, dataIn, bytes);
    }

    private static final ScsiResponse GOOD_NO_DATA = new ScsiResponse(GOOD, null, null);
    private static final ScsiResponse CONFLICT = new ScsiResponse(RESERVATION_CONFLICT, null, null);

    public static ScsiResponse good() {
        return GOOD_NO_DATA;
    }

    public static ScsiResponse good(ByteBuf dataIn) {
        return new ScsiResponse(GOOD, null, dataIn);
    }

    public static ScsiResponse check(byte[] sense) {
        return new ScsiResponse(CHECK_CONDITION, sense, null);
    }

    public static ScsiResponse reservationConflict() {
        return CONFLICT;
    }
}
