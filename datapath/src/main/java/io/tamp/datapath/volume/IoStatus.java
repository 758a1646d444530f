package io.tamp.datapath.volume;

/**
 * The one internal outcome of a block operation. Only the frontends' command-set packages
 * translate it to SCSI sense data or NVMe status codes.
 */
public enum IoStatus {
    OK,
    /** LBA range outside the volume. */
    OUT_OF_RANGE,
    /** Offset or length not a multiple of the 512-byte sector. */
    MISALIGNED,
    /** Stored bytes failed their CRC or did not decode: the data is not returned. */
    MEDIUM_ERROR,
    /** The pool cannot place the write; nothing was changed. */
    NO_SPACE,
    /** The volume does not exist (deleted under the caller). */
    NO_VOLUME,
    /** A device or metadata I/O error; nothing acknowledged was lost, the operation did not happen. */
    IO_ERROR,
    /**
     * A write, write-zeroes or unmap of a read-only volume (a snapshot); nothing was changed. Retrying
     * cannot succeed: SCSI reports DATA PROTECT / WRITE PROTECTED, NVMe Namespace Is Write Protected.
     */
    READ_ONLY;

    public boolean ok() {
        return this == OK;
    }
}
