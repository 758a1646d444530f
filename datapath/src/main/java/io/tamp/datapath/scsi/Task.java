package io.tamp.datapath.scsi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tamp.datapath.volume.Volume;

/**
 * One command on its way through the command families: the command, its CDB, the logical unit
 * it addresses (null when the LUN is not mapped), the allocator for data-in, and the unit
 * attentions its side effects may raise.
 */
record Task(ScsiCommand command, Cdb cdb, LogicalUnit lu, ByteBufAllocator alloc, UnitAttentions attentions) {
    static final int BLOCK_BYTES = Volume.SECTOR;

    Volume volume() {
        return lu.volume();
    }

    long capacityBlocks() {
        return lu.volume().sizeBytes() / BLOCK_BYTES;
    }

    /** Bytes the initiator sent (0 without data-out). */
    int dataOutLength() {
        ByteBuf d = command.dataOut();
        return d == null ? 0 : d.readableBytes();
    }

    /** GOOD with the first min(allocationLength, length) bytes of data; no buffer when that is zero. */
    ScsiResponse data(byte[] data, int length, long allocationLength) {
        int n = (int) Math.min(length, allocationLength);
        if (n <= 0) {
            return ScsiResponse.good();
        }
        return ScsiResponse.good(alloc.buffer(n).writeBytes(data, 0, n));
    }

    ScsiResponse data(byte[] data, long allocationLength) {
        return data(data, data.length, allocationLength);
    }

    static ScsiResponse check(Sense sense) {
        return ScsiResponse.check(sense.bytes());
    }

    static ScsiResponse check(Sense sense, long information) {
        return ScsiResponse.check(sense.bytes(information));
    }

    /** Whether [lba, lba + blocks) lies inside the volume (overflow-safe). */
    boolean inRange(long lba, long blocks) {
        long cap = capacityBlocks();
        return lba >= 0 && blocks >= 0 && lba <= cap && blocks <= cap - lba;
    }
}
