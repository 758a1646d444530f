package io.tamp.datapath.scsi;

/**
 * A read-only flyweight over a CDB (SPC-4 4.2). Fields beyond the CDB read as zero. The direct-access
 * block commands share their LBA and TRANSFER LENGTH positions per CDB size:
 *
 * <pre>
 *  6-byte : | op | rsvd:3 LBA(20..16):5 | LBA(15..8) | LBA(7..0) | LENGTH | control |
 * 10-byte : | op | flags | LBA(4 bytes) 2..5 | group 6 | LENGTH(2 bytes) 7..8 | control |
 * 12-byte : | op | flags | LBA(4 bytes) 2..5 | LENGTH(4 bytes) 6..9 | group 10 | control |
 * 16-byte : | op | flags | LBA(8 bytes) 2..9 | LENGTH(4 bytes) 10..13 | group 14 | control |
 * </pre>
 */
final class Cdb {
    static final int OPCODE_OFFSET = 0;
    static final int FLAGS_OFFSET = 1;
    static final int LBA_OFFSET = 2;
    static final int LENGTH6_OFFSET = 4;
    static final int LENGTH10_OFFSET = 7;
    static final int LENGTH12_OFFSET = 6;
    static final int LENGTH16_OFFSET = 10;

    private final byte[] b;

    Cdb(byte[] b) {
        this.b = b;
    }

    /** CDB size implied by the operation code's group (SPC-4 4.2.5.1); 0 for variable/vendor groups. */
    static int lengthOf(int opcode) {
        return switch (opcode >>> 5) {
            case 0 -> 6;
            case 1, 2 -> 10;
            case 4 -> 16;
            case 5 -> 12;
            default -> 0;
        };
    }

    int length() {
        return b.length;
    }

    int opcode() {
        return u8(OPCODE_OFFSET);
    }

    /** Service action of the MAINTENANCE IN / SERVICE ACTION IN / PERSISTENT RESERVE style CDBs. */
    int serviceAction() {
        return u8(FLAGS_OFFSET) & 0x1F;
    }

    int u8(int off) {
        return off < b.length ? b[off] & 0xFF : 0;
    }

    int u16(int off) {
        return u8(off) << 8 | u8(off + 1);
    }

    long u32(int off) {
        return (long) u16(off) << 16 | u16(off + 2);
    }

    long u64(int off) {
        return u32(off) << 32 | u32(off + 4);
    }

    boolean bit(int off, int bit) {
        return (u8(off) & (1 << bit)) != 0;
    }

    /** The LBA field of a direct-access command, by CDB size. */
    long lba() {
        return switch (lengthOf(opcode())) {
            case 6 -> (u8(FLAGS_OFFSET) & 0x1F) << 16 | u16(2);
            case 16 -> u64(LBA_OFFSET);
            default -> u32(LBA_OFFSET);
        };
    }

    /** The TRANSFER LENGTH field, by CDB size (6-byte: raw byte, the caller applies 0 = 256). */
    long transferLength() {
        return switch (lengthOf(opcode())) {
            case 6 -> u8(LENGTH6_OFFSET);
            case 12 -> u32(LENGTH12_OFFSET);
            case 16 -> u32(LENGTH16_OFFSET);
            default -> u16(LENGTH10_OFFSET);
        };
    }

    /** FUA bit of READ/WRITE(10/12/16) and COMPARE AND WRITE. */
    boolean fua() {
        return lengthOf(opcode()) != 6 && bit(FLAGS_OFFSET, 3);
    }

    /** RDPROTECT / WRPROTECT / VRPROTECT (bits 7..5 of byte 1). */
    int protect() {
        return lengthOf(opcode()) == 6 ? 0 : u8(FLAGS_OFFSET) >>> 5;
    }
}
