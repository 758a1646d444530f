package io.tamp.datapath.iscsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A hand-built login trace under every split, and every kind of bad input. */
class IscsiPduDecoderTest {

    static final String LOGIN_TEXT = "InitiatorName=iqn.1993-08.org.debian:01:5e3a2b1c4d\0"
            + "SessionType=Normal\0"
            + "TargetName=iqn.2025-01.io.tamp:vol0\0"
            + "AuthMethod=None\0";

    /**
     * Login Request built byte by byte from RFC 7143 §11.12: I bit + opcode 0x03, T=1,
     * CSG=0 (security), NSG=1 (operational), Version-max/min 0, ISID 00 02 3d 00 00 01
     * (random-qualifier format as open-iscsi uses), TSIH 0, ITT 0, CID 0, CmdSN 1,
     * ExpStatSN 0, then the text and its padding.
     */
    static byte[] loginRequestTrace() {
        byte[] text = LOGIN_TEXT.getBytes(StandardCharsets.UTF_8);
        byte[] bhs = new byte[48];
        bhs[0] = 0x43;
        bhs[1] = (byte) 0x81;
        bhs[5] = (byte) (text.length >>> 16);
        bhs[6] = (byte) (text.length >>> 8);
        bhs[7] = (byte) text.length;
        byte[] isid = {0x00, 0x02, 0x3d, 0x00, 0x00, 0x01};
        System.arraycopy(isid, 0, bhs, 8, 6);
        bhs[27] = 1; // CmdSN
        byte[] padding = new byte[-text.length & 3];
        return PduTraces.concat(bhs, text, padding);
    }

    /** NOP-Out ping with 5 data bytes (3 padding) and ITT 0x0a0b0c0d. */
    static byte[] nopOutTrace() {
        byte[] bhs = new byte[48];
        bhs[0] = 0x40;
        bhs[1] = (byte) 0x80;
        bhs[7] = 5;
        bhs[16] = 0x0a;
        bhs[17] = 0x0b;
        bhs[18] = 0x0c;
        bhs[19] = 0x0d;
        Arrays.fill(bhs, 20, 24, (byte) 0xff); // TTT reserved value
        return PduTraces.concat(bhs, "hello".getBytes(StandardCharsets.US_ASCII), new byte[3]);
    }

    @Test
    void loginTraceDecodesIdenticallyUnderEverySplit() throws Exception {
        byte[] trace = PduTraces.concat(loginRequestTrace(), nopOutTrace());
        List<Object> whole = PduTraces.decodeWhole(trace, d -> { });
        assertEquals(2, whole.size(), whole.toString());

        PduTraces.Frame login = (PduTraces.Frame) whole.get(0);
        Bhs bhs = login.header();
        assertEquals(IscsiOpcode.LOGIN_REQUEST, bhs.opcode());
        assertTrue(bhs.immediate());
        assertTrue(bhs.transit());
        assertEquals(0, bhs.csg());
        assertEquals(1, bhs.nsg());
        assertEquals(0x0002_3d00_0001L, bhs.isid());
        assertEquals(0, bhs.tsih());
        assertEquals(0, bhs.cid());
        assertEquals(1, bhs.cmdSn());
        TextParameters params = TextParameters.parse(login.data());
        assertEquals("iqn.1993-08.org.debian:01:5e3a2b1c4d", params.get("InitiatorName"));
        assertEquals("Normal", params.get("SessionType"));
        assertEquals("iqn.2025-01.io.tamp:vol0", params.get("TargetName"));
        assertEquals("None", params.get("AuthMethod"));
        Bhs nop = ((PduTraces.Frame) whole.get(1)).header();
        assertEquals(IscsiOpcode.NOP_OUT, nop.opcode());
        assertEquals(0x0a0b0c0d, nop.initiatorTaskTag());
        assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), ((PduTraces.Frame) whole.get(1)).data());

        assertEquals(whole, PduTraces.decodeByteByByte(trace, d -> { }));
        for (int cut = 1; cut < trace.length; cut++) {
            assertEquals(whole, PduTraces.decode(trace, new int[] {cut}, d -> { }), "cut at " + cut);
        }
    }

    @Test
    void dataSegmentAboveTheCapDropsTheConnection() {
        byte[] big = new byte[48];
        big[0] = 0x01;
        big[6] = 0x20;
        big[7] = 0x01; // DataSegmentLength 8193 > 8192
        byte[] trace = PduTraces.concat(big, new byte[8196], nopOutTrace());
        List<Object> out = PduTraces.decodeWhole(trace, d -> { });
        assertEquals(1, out.size(), "nothing is framed after a fatal error: " + out);
        IscsiDecodeError error = assertInstanceOf(IscsiDecodeError.class, out.get(0));
        assertEquals(IscsiDecodeError.Kind.DATA_SEGMENT_TOO_LONG, error.kind());
        assertEquals(IscsiDecodeError.Outcome.DROP_CONNECTION, error.outcome());
        assertEquals(0x04, error.kind().rejectReason());
        assertArrayEquals(big, error.header());

        List<Object> raised = PduTraces.decodeWhole(trace,
                d -> d.setMaxRecvDataSegmentLength(16384));
        assertEquals(2, raised.size(), "a raised MaxRecvDataSegmentLength admits it: " + raised);
        assertInstanceOf(PduTraces.Frame.class, raised.get(0));
    }

    @Test
    void wrongHeaderDigestDropsTheConnection() {
        byte[] trace = PduTraces.concat(loginRequestTrace());
        byte[] pdu = withDigests(trace, true, false);
        pdu[20] ^= 0x01; // flip a bit in the CID, covered by the header digest
        List<Object> out = PduTraces.decodeWhole(PduTraces.concat(pdu, withDigests(nopOutTrace(), true, false)),
                d -> d.setHeaderDigest(true));
        assertEquals(1, out.size(), out.toString());
        IscsiDecodeError error = assertInstanceOf(IscsiDecodeError.class, out.get(0));
        assertEquals(IscsiDecodeError.Kind.HEADER_DIGEST_ERROR, error.kind());
        assertEquals(IscsiDecodeError.Outcome.DROP_CONNECTION, error.outcome());
    }

    @Test
    void wrongDataDigestRejectsThePduAndTheNextOneStillDecodes() {
        byte[] bad = withDigests(loginRequestTrace(), true, true);
        bad[48 + 4 + 10] ^= 0x40; // a byte of the text
        byte[] good = withDigests(nopOutTrace(), true, true);
        byte[] trace = PduTraces.concat(bad, good);
        List<Object> whole = PduTraces.decodeWhole(trace, d -> {
            d.setHeaderDigest(true);
            d.setDataDigest(true);
        });
        assertEquals(2, whole.size(), whole.toString());
        IscsiDecodeError error = assertInstanceOf(IscsiDecodeError.class, whole.get(0));
        assertEquals(IscsiDecodeError.Kind.DATA_DIGEST_ERROR, error.kind());
        assertEquals(IscsiDecodeError.Outcome.REJECT, error.outcome());
        assertEquals(0x02, error.kind().rejectReason());
        assertArrayEquals(Arrays.copyOf(bad, 48), error.header());
        Bhs nop = ((PduTraces.Frame) whole.get(1)).header();
        assertEquals(IscsiOpcode.NOP_OUT, nop.opcode());
        assertEquals(0x0a0b0c0d, nop.initiatorTaskTag());

        List<Object> bytewise = PduTraces.decodeByteByByte(trace, d -> {
            d.setHeaderDigest(true);
            d.setDataDigest(true);
        });
        assertEquals(IscsiDecodeError.Kind.DATA_DIGEST_ERROR, ((IscsiDecodeError) bytewise.get(0)).kind());
        assertEquals(whole.get(1), bytewise.get(1));
    }

    @Test
    void wrongPaddingIsCoveredByTheDataDigest() {
        byte[] bad = withDigests(nopOutTrace(), false, true);
        bad[48 + 6] = 0x7f; // padding byte after "hello"
        List<Object> out = PduTraces.decodeWhole(bad, d -> d.setDataDigest(true));
        assertEquals(IscsiDecodeError.Kind.DATA_DIGEST_ERROR, ((IscsiDecodeError) out.get(0)).kind());
    }

    @Test
    void hugeTotalAhsLengthDropsTheConnection() {
        byte[] bhs = new byte[48];
        bhs[0] = 0x01;
        bhs[4] = (byte) 0xff; // 1020 bytes of AHS
        List<Object> out = PduTraces.decodeWhole(PduTraces.concat(bhs, new byte[1020], nopOutTrace()), d -> { });
        assertEquals(1, out.size(), out.toString());
        assertEquals(IscsiDecodeError.Kind.AHS_TOO_LONG, ((IscsiDecodeError) out.get(0)).kind());
    }

    @Test
    void unknownOpcodeIsRejectedAndTheStreamContinues() {
        byte[] bhs = new byte[48];
        bhs[0] = 0x07;
        bhs[7] = 2;
        List<Object> out = PduTraces.decodeByteByByte(
                PduTraces.concat(bhs, new byte[4], nopOutTrace()), d -> { });
        assertEquals(2, out.size(), out.toString());
        IscsiDecodeError error = (IscsiDecodeError) out.get(0);
        assertEquals(IscsiDecodeError.Kind.UNKNOWN_OPCODE, error.kind());
        assertEquals(0x05, error.kind().rejectReason());
        assertEquals(IscsiOpcode.NOP_OUT, ((PduTraces.Frame) out.get(1)).header().opcode());
    }

    @Test
    void streamTruncatedAtCloseEmitsNothingAndLeaksNothing() {
        byte[] login = loginRequestTrace();
        for (int cut : new int[] {1, 47, 48, 49, login.length - 3, login.length - 1}) {
            List<Object> out = PduTraces.decodeWhole(Arrays.copyOf(login, cut), d -> { });
            assertEquals(List.of(), out, "cut at " + cut);
        }
        byte[] withDigests = withDigests(login, true, true);
        List<Object> out = PduTraces.decodeWhole(Arrays.copyOf(withDigests, withDigests.length - 2), d -> {
            d.setHeaderDigest(true);
            d.setDataDigest(true);
        });
        assertEquals(List.of(), out);
    }

    @Test
    void digestsSwitchedOnByTheHandlerApplyFromTheNextPdu() {
        // The initiator's last login request, then a NOP-Out that already carries digests,
        // arriving in a single read.
        byte[] trace = PduTraces.concat(loginRequestTrace(), withDigests(nopOutTrace(), true, true));
        IscsiPduDecoder decoder = new IscsiPduDecoder();
        List<Object> seen = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(decoder, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                IscsiPdu pdu = (IscsiPdu) msg;
                seen.add(pdu.opcode());
                if (pdu.opcode() == IscsiOpcode.LOGIN_REQUEST) {
                    decoder.setHeaderDigest(true);
                    decoder.setDataDigest(true);
                }
                pdu.release();
            }
        });
        ByteBuf in = Unpooled.wrappedBuffer(trace);
        channel.writeInbound(in);
        channel.finish();
        assertEquals(List.of(IscsiOpcode.LOGIN_REQUEST, IscsiOpcode.NOP_OUT), seen);
        assertEquals(0, in.refCnt());
    }

    /** Re-encodes a digest-less single-PDU trace with the given digests. */
    static byte[] withDigests(byte[] plainPdu, boolean headerDigest, boolean dataDigest) {
        List<Object> frames = PduTraces.decodeWhole(plainPdu, d -> { });
        PduTraces.Frame f = (PduTraces.Frame) frames.get(0);
        IscsiPdu pdu = new IscsiPdu(Unpooled.wrappedBuffer(f.bhs()), Unpooled.wrappedBuffer(f.ahs()),
                Unpooled.wrappedBuffer(f.data()));
        return PduTraces.encode(pdu, headerDigest, dataDigest);
    }

    @Test
    void pduOwnsItsBuffers() {
        IscsiPdu pdu = IscsiPdu.create(ByteBufAllocator.DEFAULT, IscsiOpcode.NOP_IN,
                ByteBufAllocator.DEFAULT.buffer().writeInt(1));
        ByteBuf data = pdu.data();
        ByteBuf bhs = pdu.bhsBuffer();
        pdu.retain();
        assertTrue(!pdu.release());
        assertEquals(1, data.refCnt());
        assertTrue(pdu.release());
        assertEquals(0, data.refCnt());
        assertEquals(0, bhs.refCnt());
    }
}
