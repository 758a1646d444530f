package io.tamp.datapath.nvmetcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The NVMe/TCP codec through EmbeddedChannels: PDUs survive encode → decode fed whole, byte by
 * byte and split at every offset, with digests on and off and with a PDU data alignment; bad
 * headers become {@link NvmeTcpDecodeError}s with the right FES and offset; random bytes never
 * make the decoder throw.
 */
class NvmeTcpCodecTest {
    private static final int MAX_CAPSULE = 8192;
    private static final int MAX_H2C = 16384;

    private static byte[] encode(NvmeTcpPdu pdu, boolean hd, boolean dd, int hpda) {
        NvmeTcpEncoder encoder = new NvmeTcpEncoder();
        encoder.setDigests(hd, dd);
        encoder.setHostPduDataAlignment(hpda);
        EmbeddedChannel ch = new EmbeddedChannel(encoder);
        ch.writeOutbound(pdu);
        ByteBuf out = Unpooled.buffer();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            out.writeBytes(b);
            b.release();
        }
        ch.finishAndReleaseAll();
        return ByteBufUtil.getBytes(out);
    }

    private static List<Object> decode(List<byte[]> chunks, boolean hd, boolean dd) {
        NvmeTcpDecoder decoder = new NvmeTcpDecoder(MAX_CAPSULE, MAX_H2C);
        decoder.setDigests(hd, dd);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        for (byte[] c : chunks) {
            ch.writeInbound(Unpooled.wrappedBuffer(c));
        }
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            out.add(o);
        }
        ch.finishAndReleaseAll();
        return out;
    }

    private static NvmeTcpPdu capsule(byte[] data) {
        NvmeTcpPdu p = NvmeTcpPdu.create(UnpooledByteBufAllocator.DEFAULT, PduType.CAPSULE_CMD,
                data == null ? null : Unpooled.wrappedBuffer(data));
        for (int i = 8; i < 72; i++) {
            p.header().setByte(i, i * 7);
        }
        return p;
    }

    private static void assertSamePdu(byte[] sqeAndData, Object decoded, byte[] data) {
        NvmeTcpPdu p = assertInstanceOf(NvmeTcpPdu.class, decoded);
        try {
            assertEquals(PduType.CAPSULE_CMD, p.type());
            for (int i = 8; i < 72; i++) {
                assertEquals((byte) (i * 7), p.header().getByte(i), "SQE byte " + i);
            }
            assertArrayEquals(data == null ? new byte[0] : data, ByteBufUtil.getBytes(p.data()));
        } finally {
            p.release();
        }
    }

    @Test
    void capsulesSurviveEveryWayOfCuttingTheStream() {
        byte[] data = new byte[1000];
        new SplittableRandom(1).nextBytes(data);
        for (boolean hd : new boolean[] {false, true}) {
            for (boolean dd : new boolean[] {false, true}) {
                byte[] wire = encode(capsule(data), hd, dd, 0);
                assertEquals(72 + (hd ? 4 : 0) + 1000 + (dd ? 4 : 0), wire.length);
                List<Object> whole = decode(List.of(wire), hd, dd);
                assertEquals(1, whole.size());
                assertSamePdu(wire, whole.get(0), data);
                List<byte[]> bytes = new ArrayList<>();
                for (byte b : wire) {
                    bytes.add(new byte[] {b});
                }
                assertSamePdu(wire, decode(bytes, hd, dd).get(0), data);
                for (int cut = 1; cut < wire.length; cut += hd && dd ? 1 : 7) {
                    List<Object> two = decode(List.of(java.util.Arrays.copyOf(wire, cut),
                            java.util.Arrays.copyOfRange(wire, cut, wire.length)), hd, dd);
                    assertEquals(1, two.size(), "cut at " + cut);
                    assertSamePdu(wire, two.get(0), data);
                }
            }
        }
    }

    @Test
    void dataStartsAtTheHostsAlignment() {
        NvmeTcpPdu c2h = NvmeTcpPdu.create(UnpooledByteBufAllocator.DEFAULT, PduType.C2H_DATA,
                Unpooled.wrappedBuffer(new byte[100]));
        byte[] wire = encode(c2h, true, false, 7); // HPDA 7: 32-byte alignment
        assertEquals(32, wire[3], "PDO: 24 + 4 header digest rounded up to 32");
        assertEquals(32 + 100, wire.length);
    }

    @Test
    void badHeadersAreFatalWithTheirFieldOffset() {
        byte[] good = encode(capsule(new byte[16]), false, false, 0);
        record Case(int index, int value, int fes, int fei) {
        }
        for (Case c : List.of(new Case(0, 0x01, 0x01, 0), // ICResp from a host
                new Case(0, 0x0B, 0x01, 0), // unknown type
                new Case(2, 71, 0x01, 2), // HLEN
                new Case(3, 8, 0x01, 3), // PDO inside the header
                new Case(1, 0x01, 0x01, 1))) { // HDGSTF without header digests
            byte[] bad = good.clone();
            bad[c.index()] = (byte) c.value();
            List<Object> out = decode(List.of(bad), false, false);
            NvmeTcpDecodeError e = assertInstanceOf(NvmeTcpDecodeError.class, out.get(0), "case " + c);
            assertEquals(c.fes(), e.fes(), "case " + c + ": " + e.reason());
            assertEquals(c.fei(), e.fei(), "case " + c);
            assertEquals(1, out.size(), "nothing decodes after a fatal error");
        }
        byte[] huge = encode(capsule(new byte[MAX_CAPSULE + 4]), false, false, 0);
        NvmeTcpDecodeError tooBig = assertInstanceOf(NvmeTcpDecodeError.class,
                decode(List.of(java.util.Arrays.copyOf(huge, 8)), false, false).get(0));
        assertEquals(0x01, tooBig.fes(), "rejected from the common header alone, before buffering");
        NvmeTcpPdu h2c = NvmeTcpPdu.create(UnpooledByteBufAllocator.DEFAULT, PduType.H2C_DATA,
                Unpooled.wrappedBuffer(new byte[MAX_H2C + 512]));
        NvmeTcpDecodeError limit = assertInstanceOf(NvmeTcpDecodeError.class,
                decode(List.of(encode(h2c, false, false, 0)), false, false).get(0));
        assertEquals(NvmeTcpDecodeError.DATA_TRANSFER_LIMIT_EXCEEDED, limit.fes());
    }

    @Test
    void digestErrors() {
        byte[] wire = encode(capsule(new byte[64]), true, true, 0);
        byte[] badHeader = wire.clone();
        badHeader[20] ^= 1;
        assertEquals(NvmeTcpDecodeError.HEADER_DIGEST_ERROR,
                assertInstanceOf(NvmeTcpDecodeError.class, decode(List.of(badHeader), true, true).get(0)).fes());
        byte[] badData = wire.clone();
        badData[80] ^= 1;
        List<Object> out = decode(List.of(badData, wire), true, true);
        NvmeTcpDecoder.DataDigestError e = assertInstanceOf(NvmeTcpDecoder.DataDigestError.class, out.get(0));
        e.header().release();
        assertInstanceOf(NvmeTcpPdu.class, out.get(1), "not fatal: the next PDU decodes");
        ((NvmeTcpPdu) out.get(1)).release();
    }

    @Test
    void randomBytesNeverThrow() {
        SplittableRandom r = new SplittableRandom(42);
        for (int round = 0; round < 2000; round++) {
            byte[] junk = new byte[r.nextInt(1, 400)];
            r.nextBytes(junk);
            if (r.nextBoolean()) {
                junk[0] = (byte) r.nextInt(0, 10); // a plausible type
                if (junk.length > 2) {
                    junk[2] = (byte) (junk[0] == 4 ? 72 : junk[0] == 0 ? 128 : 24);
                }
            }
            List<Object> out = decode(List.of(junk), r.nextBoolean(), r.nextBoolean());
            for (Object o : out) {
                if (o instanceof NvmeTcpPdu p) {
                    p.release();
                } else if (o instanceof NvmeTcpDecoder.DataDigestError d) {
                    d.header().release();
                } else {
                    assertTrue(o instanceof NvmeTcpDecodeError, String.valueOf(o));
                }
            }
        }
    }
}
