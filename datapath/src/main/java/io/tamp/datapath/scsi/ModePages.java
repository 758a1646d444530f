package io.tamp.datapath.scsi;

import static io.tamp.datapath.scsi.InquiryCommands.putU16;
import static io.tamp.datapath.scsi.InquiryCommands.putU32;
import static io.tamp.datapath.scsi.InquiryCommands.putU64;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;

/**
 * MODE SENSE and MODE SELECT (6/10) over three pages: Caching (0x08), Control (0x0A) and
 * Informational Exceptions Control (0x1C); 0x3F returns them all (SPC-4 7.5, SBC-3 6.4).
 * Only WCE is changeable: clearing it makes every write of the LU write-through. Saved
 * parameters are not supported.
 *
 * <pre>
 * header(6):  MODE DATA LENGTH(1) MEDIUM TYPE(1) DEVICE-SPECIFIC(1: WP(7) DPOFUA(4)) BLOCK DESCRIPTOR LENGTH(1)
 * header(10): MODE DATA LENGTH(2) MEDIUM TYPE DEVICE-SPECIFIC LONGLBA(0) reserved BLOCK DESCRIPTOR LENGTH(2)
 * short block descriptor: NUMBER OF BLOCKS(4) reserved(1) BLOCK LENGTH(3)
 * long block descriptor:  NUMBER OF BLOCKS(8) reserved(4) BLOCK LENGTH(4)
 * </pre>
 */
final class ModePages {
    static final int CACHING = 0x08;
    static final int CONTROL = 0x0A;
    static final int INFORMATIONAL_EXCEPTIONS = 0x1C;
    static final int ALL = 0x3F;
    private static final int[] PAGES = {CACHING, CONTROL, INFORMATIONAL_EXCEPTIONS};
    private static final int PC_CURRENT = 0;
    private static final int PC_CHANGEABLE = 1;
    private static final int PC_DEFAULT = 2;
    private static final int PC_SAVED = 3;
    private static final int WCE = 0x04;
    private static final int DPOFUA = 0x10;

    private ModePages() {
    }

    /** One page as MODE SENSE returns it for page control pc. */
    static byte[] page(int code, int pc, LogicalUnit lu) {
        byte[] p;
        switch (code) {
            case CACHING -> {
                p = new byte[20];
                p[2] = (byte) switch (pc) {
                    case PC_CHANGEABLE -> WCE;
                    case PC_CURRENT -> lu.writeCacheEnabled() ? WCE : 0;
                    default -> WCE;
                };
            }
            case CONTROL -> {
                p = new byte[12];
                if (pc != PC_CHANGEABLE) {
                    p[3] = 0x10; // QUEUE ALGORITHM MODIFIER 1: unrestricted reordering
                }
            }
            case INFORMATIONAL_EXCEPTIONS -> {
                p = new byte[12];
                if (pc != PC_CHANGEABLE) {
                    p[2] = 0x08; // DEXCPT: the disk reports no informational exceptions
                }
            }
            default -> throw new IllegalArgumentException("mode page " + code);
        }
        p[0] = (byte) code;
        p[1] = (byte) (p.length - 2);
        return p;
    }

    static ScsiResponse modeSense(Task t) {
        Cdb cdb = t.cdb();
        boolean ten = cdb.opcode() == CommandTable.MODE_SENSE_10;
        boolean dbd = cdb.bit(1, 3);
        boolean llbaa = ten && cdb.bit(1, 4);
        int pc = cdb.u8(2) >>> 6;
        int code = cdb.u8(2) & 0x3F;
        int subpage = cdb.u8(3);
        long allocation = ten ? cdb.u16(7) : cdb.u8(4);
        if (pc == PC_SAVED) {
            return Task.check(Sense.SAVING_PARAMETERS_NOT_SUPPORTED);
        }
        if (!(subpage == 0 || (subpage == 0xFF && code == ALL)) || !(code == ALL || isPage(code))) {
            return Task.check(Sense.INVALID_FIELD_IN_CDB);
        }
        ByteArrayOutputStream pages = new ByteArrayOutputStream();
        for (int c : PAGES) {
            if (code == ALL || code == c) {
                pages.writeBytes(page(c, pc, t.lu()));
            }
        }
        byte[] bd = dbd ? new byte[0] : blockDescriptor(t.capacityBlocks(), llbaa);
        int header = ten ? 8 : 4;
        byte[] out = new byte[header + bd.length + pages.size()];
        int deviceSpecific = DPOFUA;
        if (ten) {
            putU16(out, 0, out.length - 2);
            out[3] = (byte) deviceSpecific;
            out[4] = (byte) (llbaa ? 1 : 0);
            putU16(out, 6, bd.length);
        } else {
            out[0] = (byte) (out.length - 1);
            out[2] = (byte) deviceSpecific;
            out[3] = (byte) bd.length;
        }
        System.arraycopy(bd, 0, out, header, bd.length);
        System.arraycopy(pages.toByteArray(), 0, out, header + bd.length, pages.size());
        return t.data(out, allocation);
    }

    private static boolean isPage(int code) {
        return code == CACHING || code == CONTROL || code == INFORMATIONAL_EXCEPTIONS;
    }

    private static byte[] blockDescriptor(long blocks, boolean longLba) {
        if (longLba) {
            byte[] d = new byte[16];
            putU64(d, 0, blocks);
            putU32(d, 12, Task.BLOCK_BYTES);
            return d;
        }
        byte[] d = new byte[8];
        putU32(d, 0, Math.min(blocks, 0xFFFF_FFFFL));
        putU32(d, 4, Task.BLOCK_BYTES); // byte 4 is reserved, BLOCK LENGTH is the low three bytes
        return d;
    }

    /**
     * MODE SELECT: every page sent must match the current one outside the changeable bits (only WCE);
     * a block descriptor, if sent, must keep 512-byte blocks. Nothing changes unless all of it is valid.
     */
    static ScsiResponse modeSelect(Task t) {
        Cdb cdb = t.cdb();
        boolean ten = cdb.opcode() == CommandTable.MODE_SELECT_10;
        if (cdb.bit(1, 0)) {
            return Task.check(Sense.INVALID_FIELD_IN_CDB); // SP: cannot save
        }
        int length = ten ? cdb.u16(7) : cdb.u8(4);
        if (length == 0) {
            return ScsiResponse.good();
        }
        int header = ten ? 8 : 4;
        if (t.dataOutLength() < length || length < header) {
            return Task.check(Sense.PARAMETER_LIST_LENGTH_ERROR);
        }
        ByteBuf d = t.command().dataOut();
        byte[] list = new byte[length];
        d.getBytes(d.readerIndex(), list);
        int bdLength = ten ? (list[6] & 0xFF) << 8 | list[7] & 0xFF : list[3] & 0xFF;
        int at = header + bdLength;
        if (at > length) {
            return Task.check(Sense.PARAMETER_LIST_LENGTH_ERROR);
        }
        if (bdLength != 0) {
            int blockLengthAt = header + bdLength - 3;
            int blockLength = (list[blockLengthAt] & 0xFF) << 16 | (list[blockLengthAt + 1] & 0xFF) << 8
                    | list[blockLengthAt + 2] & 0xFF;
            if (blockLength != Task.BLOCK_BYTES) {
                return Task.check(Sense.INVALID_FIELD_IN_PARAMETER_LIST);
            }
        }
        Boolean wce = null;
        while (at < length) {
            if (at + 2 > length) {
                return Task.check(Sense.PARAMETER_LIST_LENGTH_ERROR);
            }
            int code = list[at] & 0x3F;
            if ((list[at] & 0x40) != 0 || !isPage(code)) {
                return Task.check(Sense.INVALID_FIELD_IN_PARAMETER_LIST); // SPF or unknown page
            }
            byte[] current = page(code, PC_CURRENT, t.lu());
            byte[] changeable = page(code, PC_CHANGEABLE, t.lu());
            int pageLength = (list[at + 1] & 0xFF) + 2;
            if (pageLength != current.length) {
                return Task.check(Sense.INVALID_FIELD_IN_PARAMETER_LIST);
            }
            if (at + pageLength > length) {
                return Task.check(Sense.PARAMETER_LIST_LENGTH_ERROR);
            }
            for (int i = 2; i < pageLength; i++) {
                if (((list[at + i] ^ current[i]) & ~changeable[i]) != 0) {
                    return Task.check(Sense.INVALID_FIELD_IN_PARAMETER_LIST);
                }
            }
            if (code == CACHING) {
                wce = (list[at + 2] & WCE) != 0;
            }
            at += pageLength;
        }
        if (wce != null) {
            if (!wce && t.lu().writeCacheEnabled()) {
                // leaving write-back: what the cache holds must be durable before writes go through
                io.tamp.datapath.volume.IoStatus s = t.volume().flush();
                if (!s.ok()) {
                    return ReadWriteCommands.fail(s, 0);
                }
            }
            t.lu().writeCacheEnabled(wce);
        }
        return ScsiResponse.good();
    }
}
