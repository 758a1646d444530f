package io.tamp.datapath.nvme;

import io.netty.buffer.ByteBuf;

/**
 * A 64-byte submission queue entry (little endian), read in place.
 *
 * <pre>
 *  0 OPC  1 FUSE/PSDT  2..3 CID  4..7 NSID  8..15 CDW2-3  16..23 MPTR
 * 24..39 DPTR: an SGL descriptor for fabrics: 24 ADDRESS(8) 32 LENGTH(4) 39 SGL identifier
 * 40..63 CDW10..CDW15 (fabrics: 40 FCTYPE at byte 4 instead, see {@link #fabricsType})
 * </pre>
 */
public record Sqe(ByteBuf bytes) {
    public static final int BYTES = 64;
    public static final int FABRICS = 0x7F;
    /** SGL identifier: Data Block, offset into the capsule (in-capsule data). */
    public static final int SGL_IN_CAPSULE = 0x01;
    /** SGL identifier: Transport SGL Data Block (data moves by R2T/H2CData or C2HData). */
    public static final int SGL_TRANSPORT = 0x5A;

    private int base() {
        return bytes.readerIndex();
    }

    public int opcode() {
        return bytes.getUnsignedByte(base());
    }

    public int psdt() {
        return bytes.getUnsignedByte(base() + 1) >>> 6;
    }

    public int cid() {
        return bytes.getUnsignedShortLE(base() + 2);
    }

    public long nsid() {
        return bytes.getUnsignedIntLE(base() + 4);
    }

    /** Fabrics commands: FCTYPE at byte 4 (where NSID would be). */
    public int fabricsType() {
        return bytes.getUnsignedByte(base() + 4);
    }

    public long sglAddress() {
        return bytes.getLongLE(base() + 24);
    }

    public long sglLength() {
        return bytes.getUnsignedIntLE(base() + 32);
    }

    public int sglIdentifier() {
        return bytes.getUnsignedByte(base() + 39);
    }

    /** CDW n, 10 ≤ n ≤ 15. */
    public long cdw(int n) {
        return bytes.getUnsignedIntLE(base() + 4 * n);
    }

    public int u8(int offset) {
        return bytes.getUnsignedByte(base() + offset);
    }

    public int u16(int offset) {
        return bytes.getUnsignedShortLE(base() + offset);
    }

    public long u32(int offset) {
        return bytes.getUnsignedIntLE(base() + offset);
    }

    public long u64(int offset) {
        return bytes.getLongLE(base() + offset);
    }

    /** Data direction of the command: opcode (or FCTYPE) bits 1:0: 01b host to controller, 10b to the host. */
    public boolean hostToController() {
        int code = opcode() == FABRICS ? fabricsType() : opcode();
        return (code & 0x03) == 0x01;
    }

    public boolean controllerToHost() {
        int code = opcode() == FABRICS ? fabricsType() : opcode();
        return (code & 0x03) == 0x02;
    }
}
