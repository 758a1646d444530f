package io.tamp.datapath.scsi;

import io.netty.buffer.ByteBuf;
import io.tamp.datapath.volume.IoStatus;
import io.tamp.datapath.volume.Volume;
import java.nio.ByteBuffer;

/**
 * UNMAP and WRITE SAME (10/16) (SBC-3 5.28, 5.41, 5.42).
 *
 * <pre>
 * UNMAP parameter list: UNMAP DATA LENGTH(2) BLOCK DESCRIPTOR DATA LENGTH(2) reserved(4),
 *   then 16-byte descriptors: LBA(8) NUMBER OF LOGICAL BLOCKS(4) reserved(4)
 * </pre>
 */
final class ProvisioningCommands {
    private static final int UNMAP_HEADER = 8;
    private static final int UNMAP_DESCRIPTOR = 16;
    /** Bytes of replicated pattern written per engine call. */
    private static final int WRITE_SAME_CHUNK = 1 << 20;

    private ProvisioningCommands() {
    }

    static ScsiResponse unmap(Task t) {
        Cdb cdb = t.cdb();
        if (cdb.bit(1, 0)) {
            return Task.check(Sense.INVALID_FIELD_IN_CDB); // ANCHOR: anchored state not supported
        }
        int listLength = cdb.u16(7);
        if (listLength == 0) {
            return ScsiResponse.good();
        }
        if (listLength < UNMAP_HEADER || t.dataOutLength() < listLength) {
            return Task.check(Sense.PARAMETER_LIST_LENGTH_ERROR);
        }
        ByteBuf p = t.command().dataOut();
        int base = p.readerIndex();
        int dataLength = p.getUnsignedShort(base);
        int descriptorBytes = p.getUnsignedShort(base + 2);
        if (dataLength + 2 > listLength || descriptorBytes + UNMAP_HEADER > listLength) {
            return Task.check(Sense.PARAMETER_LIST_LENGTH_ERROR);
        }
        int n = descriptorBytes / UNMAP_DESCRIPTOR; // a truncated last descriptor is ignored
        if (n > InquiryCommands.MAX_UNMAP_DESCRIPTORS) {
            return Task.check(Sense.INVALID_FIELD_IN_PARAMETER_LIST);
        }
        for (int i = 0; i < n; i++) {
            int at = base + UNMAP_HEADER + i * UNMAP_DESCRIPTOR;
            long lba = p.getLong(at);
            long blocks = p.getUnsignedInt(at + 8);
            if (!t.inRange(lba, blocks)) {
                return Task.check(Sense.LBA_OUT_OF_RANGE, lba);
            }
            if (blocks > InquiryCommands.MAX_UNMAP_BLOCKS) {
                return Task.check(Sense.INVALID_FIELD_IN_PARAMETER_LIST);
            }
        }
        for (int i = 0; i < n; i++) {
            int at = base + UNMAP_HEADER + i * UNMAP_DESCRIPTOR;
            long lba = p.getLong(at);
            IoStatus s = t.volume().unmap(lba * Task.BLOCK_BYTES, p.getUnsignedInt(at + 8) * Task.BLOCK_BYTES);
            if (!s.ok()) {
                return ReadWriteCommands.fail(s, lba);
            }
        }
        return ScsiResponse.good();
    }

    /**
     * WRITE SAME: NDOB (16 only) writes zeros without data-out; a zero pattern with UNMAP deallocates
     * (LBPRZ: unmapped blocks read as zeros); any other pattern is replicated over the range.
     */
    static ScsiResponse writeSame(Task t) {
        Cdb cdb = t.cdb();
        boolean sixteen = cdb.opcode() == CommandTable.WRITE_SAME_16;
        int flags = cdb.u8(1);
        boolean unmap = (flags & 0x08) != 0;
        boolean ndob = sixteen && (flags & 0x01) != 0;
        long lba = cdb.lba();
        long blocks = cdb.transferLength();
        if (cdb.protect() != 0 || (flags & 0x16) != 0 || (!sixteen && (flags & 0x01) != 0)) {
            return Task.check(Sense.INVALID_FIELD_IN_CDB); // protection, ANCHOR, PBDATA, LBDATA
        }
        if (!t.inRange(lba, blocks)) {
            return Task.check(Sense.LBA_OUT_OF_RANGE, lba);
        }
        if (blocks == 0 || blocks > InquiryCommands.MAX_WRITE_SAME_BLOCKS) {
            return Task.check(Sense.INVALID_FIELD_IN_CDB); // WSNZ = 1
        }
        byte[] pattern = new byte[Task.BLOCK_BYTES];
        if (t.dataOutLength() != (ndob ? 0 : Task.BLOCK_BYTES)) {
            // One block of data-out, or none with NDOB; anything else is a transfer mismatch.
            return Task.check(Sense.INVALID_FIELD_IN_CDB);
        }
        if (!ndob) {
            ByteBuf d = t.command().dataOut();
            d.getBytes(d.readerIndex(), pattern);
        }
        Volume v = t.volume();
        long offset = lba * Task.BLOCK_BYTES;
        long length = blocks * Task.BLOCK_BYTES;
        IoStatus s;
        if (isZero(pattern)) {
            s = v.writeZeroes(offset, length, unmap);
        } else {
            s = replicate(v, offset, length, pattern, !t.lu().writeCacheEnabled());
        }
        return s.ok() ? ScsiResponse.good() : ReadWriteCommands.fail(s, lba);
    }

    private static IoStatus replicate(Volume v, long offset, long length, byte[] pattern, boolean fua) {
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(length, WRITE_SAME_CHUNK));
        while (chunk.hasRemaining()) {
            chunk.put(pattern);
        }
        IoStatus s = IoStatus.OK;
        for (long pos = 0; pos < length && s.ok(); pos += chunk.capacity()) {
            int n = (int) Math.min(chunk.capacity(), length - pos);
            s = v.write(offset + pos, chunk.clear().limit(n), fua);
        }
        return s;
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
