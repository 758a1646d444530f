package io.tamp.datapath.iscsi;

import io.netty.buffer.ByteBuf;

/**
 * One SCSI command on a connection from its SCSI Command PDU to its status: collects
 * immediate, unsolicited and solicited (R2T) data for writes, then waits for the
 * {@link io.tamp.datapath.scsi.ScsiTarget}. Owned by the connection's event loop.
 */
final class ScsiTask {
    enum State { COLLECTING, EXECUTING, ABORTED }

    final int initiatorTaskTag;
    final long lunField;
    final long lun;
    final byte[] cdb;
    final int expectedBytes;
    final boolean read;
    final boolean write;

    State state = State.COLLECTING;
    /** The write data, {@link #expectedBytes} long; null for reads or once handed over. */
    ByteBuf dataOut;
    int receivedBytes;
    /**
     * A write refused before any buffer was allocated (over the transfer limit, or the portal's
     * write buffer is full): its unsolicited data is dropped and it ends in {@link #refusal}.
     */
    boolean discard;
    /** SAM status and sense (or null) a discarded write ends with. */
    int refusalStatus;
    byte[] refusal;
    /** Bytes of the portal's write buffer this task holds. */
    long reservedBytes;
    /** Unsolicited Data-Out (TTT 0xffffffff) may still arrive. */
    boolean unsolicitedOpen;
    int unsolicitedLimitBytes;
    /** The outstanding R2T (MaxOutstandingR2T=1), or none when r2tOpen is false. */
    boolean r2tOpen;
    int r2tTransferTag;
    int r2tEndBytes;
    int r2tSn;
    /** DataSN the next Data-Out of the current sequence must carry. */
    int nextDataSn;

    ScsiTask(int initiatorTaskTag, long lunField, long lun, byte[] cdb, int expectedBytes, boolean read,
            boolean write) {
        this.initiatorTaskTag = initiatorTaskTag;
        this.lunField = lunField;
        this.lun = lun;
        this.cdb = cdb;
        this.expectedBytes = expectedBytes;
        this.read = read;
        this.write = write;
    }

    boolean allDataReceived() {
        return receivedBytes == expectedBytes;
    }

    /** Drops whatever write data the task still holds; idempotent. */
    void releaseData() {
        if (dataOut != null) {
            dataOut.release();
            dataOut = null;
        }
    }

    /** CDB length from the group code of the operation code (SPC-4 §4.2.5.1). */
    static int cdbLength(int opcode) {
        return switch ((opcode >>> 5) & 7) {
            case 0 -> 6;
            case 1, 2 -> 10;
            case 5 -> 12;
            default -> 16;
        };
    }
}
