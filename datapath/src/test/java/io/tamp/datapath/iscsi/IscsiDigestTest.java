package io.tamp.datapath.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The CRC examples of RFC 7143 Appendix A.4 (RFC 3720 B.4), bytes as printed there. */
class IscsiDigestTest {
    private static final HexFormat HEX = HexFormat.ofDelimiter(" ");

    /** RFC 7143 A.4: an iSCSI SCSI Read (10) command PDU; its CRC is "56 3a 96 d9". */
    static final byte[] READ10_BHS = HEX.parseHex(
            "01 c0 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
            + "14 00 00 00 00 00 04 00 00 00 00 14 00 00 00 18 "
            + "28 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00");

    private static String wireDigest(byte[] bytes) {
        IscsiDigest digest = new IscsiDigest();
        digest.update(Unpooled.wrappedBuffer(bytes));
        ByteBuf out = Unpooled.buffer(4);
        IscsiDigest.write(out, digest.value());
        return HEX.formatHex(out.array(), 0, 4);
    }

    @Test
    void rfcExamplesAreTheWireBytes() {
        byte[] incrementing = new byte[32];
        byte[] decrementing = new byte[32];
        byte[] ones = new byte[32];
        for (int i = 0; i < 32; i++) {
            incrementing[i] = (byte) i;
            decrementing[i] = (byte) (31 - i);
            ones[i] = (byte) 0xff;
        }
        assertEquals("aa 36 91 8a", wireDigest(new byte[32]));
        assertEquals("43 ab a8 62", wireDigest(ones));
        assertEquals("4e 79 dd 46", wireDigest(incrementing));
        assertEquals("5c db 3f 11", wireDigest(decrementing));
        assertEquals("56 3a 96 d9", wireDigest(READ10_BHS));
    }

    @Test
    void decoderAcceptsTheRfcReadPduWithItsPrintedDigest() {
        byte[] trace = PduTraces.concat(READ10_BHS, HEX.parseHex("56 3a 96 d9"));
        List<Object> out = PduTraces.decodeWhole(trace, d -> d.setHeaderDigest(true));
        assertEquals(1, out.size(), out.toString());
        Bhs bhs = ((PduTraces.Frame) out.get(0)).header();
        assertEquals(IscsiOpcode.SCSI_COMMAND, bhs.opcode());
        assertEquals(0x28, bhs.cdbByte(0)); // READ (10)
        assertEquals(0x1400_0000, bhs.initiatorTaskTag()); // the RFC prints "14 00 00 00"
        assertEquals(0x400, bhs.expectedDataTransferLength());
        assertEquals(0x14, bhs.cmdSn());
        assertEquals(0x18, bhs.expStatSn());
    }

    @Test
    void encoderWritesTheRfcReadPduDigest() {
        ByteBuf bhs = Unpooled.buffer(48).writeBytes(READ10_BHS);
        byte[] wire = PduTraces.encode(
                new IscsiPdu(bhs, Unpooled.EMPTY_BUFFER, Unpooled.EMPTY_BUFFER), true, true);
        assertEquals("56 3a 96 d9", HEX.formatHex(wire, 48, 52));
        assertEquals(52, wire.length); // no data, so no data digest
    }
}
