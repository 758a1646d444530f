package io.tamp.datapath.scsi;

import io.netty.buffer.ByteBuf;
import io.tamp.datapath.volume.IoStatus;
import io.tamp.datapath.volume.Volume;
import java.nio.ByteBuffer;

/**
 * READ and WRITE (6/10/12/16), WRITE AND VERIFY (10/16), VERIFY (10/16), COMPARE AND WRITE and
 * SYNCHRONIZE CACHE (10/16) (SBC-3 5).
 *
 * <p>WRITE moves min(TRANSFER LENGTH × 512, data-out) rounded down to whole blocks; the
 * response names what the CDB wanted so the transport reports the residual either way.
 * FUA writes through; so does every write while MODE SELECT has cleared WCE. DPO is ignored.
 */
final class ReadWriteCommands {
    private ReadWriteCommands() {
    }

    /** TRANSFER LENGTH in blocks (READ/WRITE(6): 0 means 256). */
    private static long blocks(Cdb cdb) {
        long n = cdb.transferLength();
        return Cdb.lengthOf(cdb.opcode()) == 6 && n == 0 ? 256 : n;
    }

    /** Common checks: protection fields, range, transfer limit; null when the command may go on. */
    private static ScsiResponse checkRange(Task t, long lba, long blocks) {
        if (t.cdb().protect() != 0) {
            return Task.check(Sense.INVALID_FIELD_IN_CDB);
        }
        if (!t.inRange(lba, blocks)) {
            return Task.check(Sense.LBA_OUT_OF_RANGE, lba);
        }
        if (blocks > InquiryCommands.MAX_TRANSFER_BLOCKS) {
            return Task.check(Sense.INVALID_FIELD_IN_CDB);
        }
        return null;
    }

    static ScsiResponse fail(IoStatus s, long lba) {
        return Task.check(Sense.of(s), lba);
    }

    static ScsiResponse read(Task t) {
        long lba = t.cdb().lba();
        long blocks = blocks(t.cdb());
        ScsiResponse bad = checkRange(t, lba, blocks);
        if (bad != null || blocks == 0) {
            return bad != null ? bad : ScsiResponse.good();
        }
        int len = (int) blocks * Task.BLOCK_BYTES;
        ByteBuf buf = t.alloc().directBuffer(len, len);
        IoStatus s = t.volume().read(lba * Task.BLOCK_BYTES, buf.nioBuffer(0, len));
        if (!s.ok()) {
            buf.release();
            return fail(s, lba);
        }
        return ScsiResponse.good(buf.writerIndex(len));
    }

    /** WRITE, or WRITE AND VERIFY (written, then read back and compared: BYTCHK=1 compares with data-out too). */
    static ScsiResponse write(Task t, boolean verify) {
        Cdb cdb = t.cdb();
        long lba = cdb.lba();
        long blocks = blocks(cdb);
        ScsiResponse bad = checkRange(t, lba, blocks);
        if (bad != null) {
            return bad;
        }
        long wanted = blocks * Task.BLOCK_BYTES;
        // The transport moved what the initiator expected to send; when that is less than the
        // CDB asks for, only the whole blocks that arrived are written and the transport reports
        // the overflow (RFC 7143 §11.4.5.1), as libiscsi's residual tests and tgt do.
        int len = (int) Math.min(wanted, t.dataOutLength() / Task.BLOCK_BYTES * (long) Task.BLOCK_BYTES);
        if (len == 0) {
            return ScsiResponse.good().withDataOutWanted(wanted);
        }
        ByteBuf data = t.command().dataOut();
        ByteBuffer src = data.nioBuffer(data.readerIndex(), len);
        boolean fua = cdb.fua() || !t.lu().writeCacheEnabled();
        IoStatus s = t.volume().write(lba * Task.BLOCK_BYTES, src, fua);
        if (!s.ok()) {
            return fail(s, lba).withDataOutWanted(wanted);
        }
        ScsiResponse done = verify ? compare(t, lba, data.nioBuffer(data.readerIndex(), len)) : ScsiResponse.good();
        return done.withDataOutWanted(wanted);
    }

    /** Reads the range and compares it with expected: GOOD, or MISCOMPARE with the offset of the first difference. */
    private static ScsiResponse compare(Task t, long lba, ByteBuffer expected) {
        byte[] medium = new byte[expected.remaining()];
        IoStatus s = t.volume().read(lba * Task.BLOCK_BYTES, medium);
        if (!s.ok()) {
            return fail(s, lba);
        }
        int at = ByteBuffer.wrap(medium).mismatch(expected);
        return at < 0 ? ScsiResponse.good() : Task.check(Sense.MISCOMPARE_DURING_VERIFY, at);
    }

    /**
     * VERIFY: BYTCHK 00 checks the range only (the engine verifies CRCs on every read anyway);
     * 01 compares the medium with data-out; 11 compares every block with one block of data-out.
     */
    static ScsiResponse verify(Task t) {
        Cdb cdb = t.cdb();
        long lba = cdb.lba();
        long blocks = blocks(cdb);
        int bytchk = cdb.u8(1) >>> 1 & 0x03;
        ScsiResponse bad = checkRange(t, lba, blocks);
        if (bad != null) {
            return bad;
        }
        if (bytchk == 0b10) {
            return Task.check(Sense.INVALID_FIELD_IN_CDB);
        }
        if (bytchk == 0 || blocks == 0) {
            return ScsiResponse.good();
        }
        int len = (int) blocks * Task.BLOCK_BYTES;
        int need = bytchk == 0b01 ? len : Task.BLOCK_BYTES;
        if (t.dataOutLength() < need) {
            return Task.check(Sense.INVALID_FIELD_IN_CDB);
        }
        ByteBuf data = t.command().dataOut();
        if (bytchk == 0b01) {
            return compare(t, lba, data.nioBuffer(data.readerIndex(), len));
        }
        ByteBuffer pattern = data.nioBuffer(data.readerIndex(), Task.BLOCK_BYTES);
        ByteBuffer expected = ByteBuffer.allocate(len);
        while (expected.hasRemaining()) {
            expected.put(pattern.duplicate());
        }
        return compare(t, lba, expected.flip());
    }

    /**
     * COMPARE AND WRITE: data-out holds the verify blocks then the write blocks. Read, compare and
     * write happen under the logical unit's lock, so two of them on one volume never interleave.
     */
    static ScsiResponse compareAndWrite(Task t) {
        Cdb cdb = t.cdb();
        long lba = cdb.lba();
        int blocks = cdb.u8(13);
        if (blocks > InquiryCommands.MAX_COMPARE_AND_WRITE_BLOCKS) {
            return Task.check(Sense.INVALID_FIELD_IN_CDB);
        }
        ScsiResponse bad = checkRange(t, lba, blocks);
        if (bad != null) {
            return bad;
        }
        int len = blocks * Task.BLOCK_BYTES;
        if (t.dataOutLength() != 2 * len) {
            // The verify and write halves must be exactly what NUMBER OF LOGICAL BLOCKS says.
            return Task.check(Sense.INVALID_FIELD_IN_CDB);
        }
        if (blocks == 0) {
            return ScsiResponse.good();
        }
        ByteBuf data = t.command().dataOut();
        Volume v = t.volume();
        t.lu().compareAndWriteLock.lock();
        try {
            ScsiResponse cmp = compare(t, lba, data.nioBuffer(data.readerIndex(), len));
            if (cmp.status() != ScsiResponse.GOOD) {
                return cmp;
            }
            boolean fua = cdb.fua() || !t.lu().writeCacheEnabled();
            IoStatus s = v.write(lba * Task.BLOCK_BYTES, data.nioBuffer(data.readerIndex() + len, len), fua);
            return s.ok() ? ScsiResponse.good() : fail(s, lba);
        } finally {
            t.lu().compareAndWriteLock.unlock();
        }
    }

    /** SYNCHRONIZE CACHE: the range is checked, then the whole volatile cache is made durable. */
    static ScsiResponse synchronizeCache(Task t) {
        Cdb cdb = t.cdb();
        long lba = cdb.lba();
        long blocks = cdb.transferLength();
        if (!t.inRange(lba, blocks)) {
            return Task.check(Sense.LBA_OUT_OF_RANGE, lba);
        }
        IoStatus s = t.volume().flush();
        return s.ok() ? ScsiResponse.good() : fail(s, lba);
    }
}
