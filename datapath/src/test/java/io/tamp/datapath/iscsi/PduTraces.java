package io.tamp.datapath.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

/**
 * Feeds byte traces through an {@link IscsiPduDecoder} in an {@link EmbeddedChannel} and
 * turns what comes out into plain values, checking on the way that every buffer handed in
 * or taken out ends with a reference count of zero.
 */
final class PduTraces {

    /** A decoded PDU copied out of its buffers. */
    record Frame(byte[] bhs, byte[] ahs, byte[] data) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Frame f && Arrays.equals(bhs, f.bhs) && Arrays.equals(ahs, f.ahs)
                    && Arrays.equals(data, f.data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bhs) * 31 + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Frame[bhs=" + HexFormat.of().formatHex(bhs) + ", ahs=" + ahs.length
                    + ", data=" + data.length + "]";
        }

        Bhs header() {
            return new Bhs(Unpooled.wrappedBuffer(bhs));
        }
    }

    private PduTraces() {
    }

    /** Decodes {@code trace} cut into pieces at {@code cuts} (ascending offsets). */
    static List<Object> decode(byte[] trace, int[] cuts, Consumer<IscsiPduDecoder> setup) {
        IscsiPduDecoder decoder = new IscsiPduDecoder();
        setup.accept(decoder);
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        List<ByteBuf> handedIn = new ArrayList<>();
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : trace.length;
            ByteBuf piece = Unpooled.buffer(to - from).writeBytes(trace, from, to - from);
            handedIn.add(piece);
            channel.writeInbound(piece);
            from = to;
        }
        return drain(channel, handedIn);
    }

    static List<Object> decodeWhole(byte[] trace, Consumer<IscsiPduDecoder> setup) {
        return decode(trace, new int[0], setup);
    }

    static List<Object> decodeByteByByte(byte[] trace, Consumer<IscsiPduDecoder> setup) {
        int[] cuts = new int[Math.max(0, trace.length - 1)];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = i + 1;
        }
        return decode(trace, cuts, setup);
    }

    /** Finishes the channel and converts what it produced, asserting nothing leaked. */
    static List<Object> drain(EmbeddedChannel channel, List<ByteBuf> handedIn) {
        List<Object> results = new ArrayList<>();
        List<ByteBuf> takenOut = new ArrayList<>();
        Object msg;
        while ((msg = channel.readInbound()) != null) {
            results.add(toValue(msg, takenOut));
        }
        channel.finish();
        while ((msg = channel.readInbound()) != null) {
            results.add(toValue(msg, takenOut));
        }
        assertTrue(channel.outboundMessages().isEmpty(), "decoder wrote to the channel");
        // Slices share their parent's count, so they read zero only once every PDU cut from
        // the same cumulation is gone: check at the end.
        for (ByteBuf b : takenOut) {
            assertReleased(b);
        }
        for (ByteBuf b : handedIn) {
            assertEquals(0, b.refCnt(), "input buffer still referenced");
        }
        return results;
    }

    private static Object toValue(Object msg, List<ByteBuf> takenOut) {
        if (msg instanceof IscsiPdu pdu) {
            Frame frame = new Frame(ByteBufUtil.getBytes(pdu.bhsBuffer()),
                    ByteBufUtil.getBytes(pdu.ahs()), ByteBufUtil.getBytes(pdu.data()));
            assertTrue(pdu.release(), "PDU had an extra reference");
            assertEquals(0, pdu.refCnt());
            takenOut.add(pdu.bhsBuffer());
            takenOut.add(pdu.ahs());
            takenOut.add(pdu.data());
            return frame;
        }
        if (msg instanceof IscsiDecodeError error) {
            return error;
        }
        throw new AssertionError("decoder emitted " + msg);
    }

    static void assertReleased(ByteBuf buf) {
        if (buf != Unpooled.EMPTY_BUFFER) {
            assertEquals(0, buf.refCnt(), "buffer still referenced");
        }
    }

    /** Encodes one PDU (consumed) with the given digests and returns the wire bytes. */
    static byte[] encode(IscsiPdu pdu, boolean headerDigest, boolean dataDigest) {
        IscsiPduEncoder encoder = new IscsiPduEncoder();
        encoder.setHeaderDigest(headerDigest);
        encoder.setDataDigest(dataDigest);
        encoder.setMaxSendDataSegmentLength(Bhs.MAX_DATA_SEGMENT_LENGTH);
        EmbeddedChannel channel = new EmbeddedChannel(encoder);
        assertTrue(channel.writeOutbound(pdu));
        ByteBuf out = channel.readOutbound();
        byte[] bytes = ByteBufUtil.getBytes(out);
        assertTrue(out.release());
        assertEquals(0, out.refCnt());
        assertFalse(channel.finish(), "encoder left messages behind");
        assertEquals(0, pdu.refCnt(), "encoder did not release the PDU");
        assertReleased(pdu.data());
        assertReleased(pdu.bhsBuffer());
        return bytes;
    }

    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) {
            length += p.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
