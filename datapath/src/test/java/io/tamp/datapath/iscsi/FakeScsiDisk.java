package io.tamp.datapath.iscsi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tamp.datapath.scsi.ScsiCommand;
import io.tamp.datapath.scsi.ScsiResponse;
import io.tamp.datapath.scsi.ScsiTarget;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * TEST DOUBLE: an in-memory disk behind LUN 0 answering just enough of SPC-4/SBC-3 for the
 * transport tests and libiscsi's tools: TEST UNIT READY, INQUIRY (standard, VPD 00/80/83),
 * READ CAPACITY(10)/(16), READ/WRITE(10)/(16), REPORT LUNS, MODE SENSE(6). The real
 * command set lives in io.tamp.datapath.scsi.
 */
final class FakeScsiDisk implements ScsiTarget {
    static final int BLOCK_BYTES = 512;
    static final String VENDOR = "TAMP";
    static final String PRODUCT = "FAKE DISK";

    private final byte[] disk;
    final List<ScsiCommand> seen = new ArrayList<>();
    final List<ScsiTarget.TaskFunction> taskFunctions = new ArrayList<>();
    /** When set, execute() returns this future instead of answering (for abort tests). */
    CompletableFuture<ScsiResponse> hold;

    FakeScsiDisk(int blocks) {
        this.disk = new byte[blocks * BLOCK_BYTES];
    }

    long blocks() {
        return disk.length / BLOCK_BYTES;
    }

    byte[] bytes() {
        return disk;
    }

    @Override
    public synchronized CompletableFuture<ScsiResponse> execute(ScsiCommand c) {
        seen.add(new ScsiCommand(c.initiatorPort(), c.initiatorName(), c.lun(), c.cdb(),
                c.expectedTransferLength(), null, c.taskTag()));
        ScsiResponse r;
        try {
            r = run(c);
        } finally {
            if (c.dataOut() != null) {
                c.dataOut().release();
            }
        }
        if (hold != null) {
            if (r.dataIn() != null) {
                r.dataIn().release();
            }
            return hold;
        }
        return CompletableFuture.completedFuture(r);
    }

    @Override
    public synchronized int taskManagement(TaskFunction function, String initiatorPort, long lun, long tag) {
        taskFunctions.add(function);
        return 0;
    }

    private ScsiResponse run(ScsiCommand c) {
        byte[] cdb = c.cdb();
        int op = cdb[0] & 0xff;
        if (op == 0x12) {
            return inquiry(c.lun(), cdb);
        }
        if (op == 0xa0) {
            ByteBuf b = Unpooled.buffer(16).writeInt(8).writeInt(0).writeLong(0);
            return good(b, (int) be(cdb, 6, 4));
        }
        if (c.lun() != 0) {
            return check(0x05, 0x25, 0x00);
        }
        switch (op) {
            case 0x00:
                return good(null, 0);
            case 0x1a:
                return good(Unpooled.buffer(4).writeByte(3).writeByte(0).writeByte(0).writeByte(0), cdb[4] & 0xff);
            case 0x25:
                return good(Unpooled.buffer(8).writeInt((int) blocks() - 1).writeInt(BLOCK_BYTES), 8);
            case 0x9e:
                if ((cdb[1] & 0x1f) != 0x10) {
                    return check(0x05, 0x24, 0x00);
                }
                ByteBuf rc = Unpooled.buffer(32).writeLong(blocks() - 1).writeInt(BLOCK_BYTES).writeZero(20);
                return good(rc, (int) be(cdb, 10, 4));
            case 0x28:
                return read(be(cdb, 2, 4), (int) be(cdb, 7, 2));
            case 0x88:
                return read(be(cdb, 2, 8), (int) be(cdb, 10, 4));
            case 0x2a:
                return write(c, be(cdb, 2, 4), (int) be(cdb, 7, 2));
            case 0x8a:
                return write(c, be(cdb, 2, 8), (int) be(cdb, 10, 4));
            default:
                return check(0x05, 0x20, 0x00);
        }
    }

    private ScsiResponse inquiry(long lun, byte[] cdb) {
        int alloc = (int) be(cdb, 3, 2);
        int qualifier = lun == 0 ? 0x00 : 0x7f;
        if ((cdb[1] & 1) == 0) {
            ByteBuf b = Unpooled.buffer(36);
            b.writeByte(qualifier).writeByte(0).writeByte(0x06).writeByte(0x02).writeByte(31)
                    .writeByte(0).writeByte(0).writeByte(0x02);
            b.writeBytes(pad(VENDOR, 8)).writeBytes(pad(PRODUCT, 16)).writeBytes(pad("0001", 4));
            return good(b, alloc);
        }
        int page = cdb[2] & 0xff;
        ByteBuf b = Unpooled.buffer(64).writeByte(qualifier).writeByte(page);
        switch (page) {
            case 0x00 -> b.writeShort(3).writeByte(0x00).writeByte(0x80).writeByte(0x83);
            case 0x80 -> b.writeShort(8).writeBytes(pad("SN000001", 8));
            case 0x83 -> b.writeShort(12).writeByte(0x01).writeByte(0x03).writeByte(0).writeByte(8)
                    .writeLong(0x6001405_0000_0001L);
            default -> {
                b.release();
                return check(0x05, 0x24, 0x00);
            }
        }
        return good(b, alloc);
    }

    private ScsiResponse read(long lba, int blocks) {
        if (lba + blocks > blocks()) {
            return check(0x05, 0x21, 0x00);
        }
        ByteBuf b = Unpooled.buffer(blocks * BLOCK_BYTES).writeBytes(disk, (int) lba * BLOCK_BYTES, blocks * BLOCK_BYTES);
        return new ScsiResponse(ScsiResponse.GOOD, null, b);
    }

    private ScsiResponse write(ScsiCommand c, long lba, int blocks) {
        if (lba + blocks > blocks()) {
            return check(0x05, 0x21, 0x00);
        }
        int wanted = blocks * BLOCK_BYTES;
        ByteBuf data = c.dataOut();
        int bytes = data == null ? 0 : Math.min(wanted, data.readableBytes() / BLOCK_BYTES * BLOCK_BYTES);
        if (bytes > 0) {
            data.getBytes(data.readerIndex(), disk, (int) lba * BLOCK_BYTES, bytes);
        }
        return ScsiResponse.good().withDataOutWanted(wanted);
    }

    private static ScsiResponse good(ByteBuf b, int allocationLength) {
        if (b != null && b.readableBytes() > allocationLength) {
            b.writerIndex(b.readerIndex() + allocationLength);
        }
        return new ScsiResponse(ScsiResponse.GOOD, null, b);
    }

    /** Fixed-format sense (SPC-4 §4.5.3). */
    static ScsiResponse check(int key, int asc, int ascq) {
        byte[] sense = new byte[18];
        sense[0] = 0x70;
        sense[2] = (byte) key;
        sense[7] = 10;
        sense[12] = (byte) asc;
        sense[13] = (byte) ascq;
        return new ScsiResponse(ScsiResponse.CHECK_CONDITION, sense, null);
    }

    private static long be(byte[] b, int off, int len) {
        long v = 0;
        for (int i = 0; i < len; i++) {
            v = v << 8 | (b[off + i] & 0xff);
        }
        return v;
    }

    private static byte[] pad(String s, int len) {
        byte[] out = new byte[len];
        java.util.Arrays.fill(out, (byte) ' ');
        byte[] src = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(src, 0, out, 0, Math.min(len, src.length));
        return out;
    }
}
