package io.tamp.datapath.scsi;

import static io.tamp.datapath.scsi.InquiryCommands.putU16;
import static io.tamp.datapath.scsi.InquiryCommands.putU32;

import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * REPORT SUPPORTED OPERATION CODES (SPC-4 6.35), from {@link CommandTable}.
 *
 * <pre>
 * all commands: COMMAND DATA LENGTH(4), then per command (8 bytes)
 *   OPERATION CODE | reserved | SERVICE ACTION(2) | reserved | CTDP(1) SERVACTV(0) | CDB LENGTH(2)
 *   [+ 12-byte command timeouts descriptor when RCTD]
 * one command: reserved | CTDP(7) SUPPORT(2..0) | CDB SIZE(2) | CDB USAGE DATA [+ timeouts descriptor]
 * </pre>
 */
final class SupportedOpcodes {
    private static final int SUPPORT_NOT_SUPPORTED = 0b001;
    private static final int SUPPORT_STANDARD = 0b011;

    private SupportedOpcodes() {
    }

    static ScsiResponse report(Task t) {
        Cdb cdb = t.cdb();
        boolean rctd = cdb.bit(2, 7);
        int options = cdb.u8(2) & 0x07;
        int opcode = cdb.u8(3);
        int sa = cdb.u16(4);
        long allocation = cdb.u32(6);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (options) {
            case 0 -> {
                List<CommandTable.Entry> all = CommandTable.all();
                int each = 8 + (rctd ? 12 : 0);
                byte[] header = new byte[4];
                putU32(header, 0, (long) each * all.size());
                out.writeBytes(header);
                for (CommandTable.Entry e : all) {
                    byte[] d = new byte[8];
                    d[0] = (byte) e.opcode();
                    putU16(d, 2, Math.max(e.serviceAction(), 0));
                    d[5] = (byte) ((rctd ? 0x02 : 0) | (e.serviceAction() >= 0 ? 0x01 : 0));
                    putU16(d, 6, e.cdbLength());
                    out.writeBytes(d);
                    if (rctd) {
                        out.writeBytes(timeouts());
                    }
                }
            }
            case 1, 2, 3 -> {
                boolean hasSa = CommandTable.hasServiceActions(opcode);
                if ((options == 1 && hasSa) || (options == 2 && !hasSa && CommandTable.knows(opcode))) {
                    return Task.check(Sense.INVALID_FIELD_IN_CDB);
                }
                CommandTable.Entry e = CommandTable.find(opcode, hasSa ? sa : -1);
                if (e == null || (options == 3 && !hasSa && sa != 0)) { // options 3 names a service action the opcode lacks
                    out.writeBytes(new byte[] {0, SUPPORT_NOT_SUPPORTED, 0, 0});
                } else {
                    byte[] head = new byte[4];
                    head[1] = (byte) ((rctd ? 0x80 : 0) | SUPPORT_STANDARD);
                    putU16(head, 2, e.cdbLength());
                    out.writeBytes(head);
                    out.writeBytes(e.usage());
                    if (rctd) {
                        out.writeBytes(timeouts());
                    }
                }
            }
            default -> {
                return Task.check(Sense.INVALID_FIELD_IN_CDB);
            }
        }
        return t.data(out.toByteArray(), allocation);
    }

    /** Command timeouts descriptor: no nominal or recommended timeout is stated (zeros). */
    private static byte[] timeouts() {
        byte[] d = new byte[12];
        putU16(d, 0, 0x0A);
        return d;
    }
}
