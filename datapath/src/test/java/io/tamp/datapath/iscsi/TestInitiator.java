package io.tamp.datapath.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tamp.datapath.scsi.ScsiTarget;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * An initiator in a test: a target pipeline (decoder, encoder, handler) in an
 * {@link EmbeddedChannel}, fed through a client-side encoder and read back through a
 * client-side decoder, so digests and segment limits are exercised on real bytes.
 */
final class TestInitiator implements AutoCloseable {
    static final String INITIATOR = "iqn.2026-11.io.tamp:test-initiator";
    static final long ISID = 0x80_1234_5678_00L;

    final EmbeddedChannel target;
    private final UnpooledByteBufAllocator allocator = new UnpooledByteBufAllocator(true);
    private final EmbeddedChannel clientEncoder;
    private final EmbeddedChannel clientDecoder;
    private final IscsiPduEncoder encoder = new IscsiPduEncoder();
    private final IscsiPduDecoder decoder = new IscsiPduDecoder();
    int cmdSn = 1;
    int expStatSn;
    int itt = 0x100;

    TestInitiator(IscsiTargetConfig config, ScsiTarget scsi) {
        target = new EmbeddedChannel();
        // A counting allocator: close() proves the target released everything it allocated.
        target.config().setAllocator(allocator);
        target.pipeline().addLast(new IscsiPduDecoder(), new IscsiPduEncoder(),
                new IscsiConnectionHandler(config, scsi, new SecureRandom()));
        clientEncoder = new EmbeddedChannel(encoder);
        clientDecoder = new EmbeddedChannel(decoder);
    }

    /** Switches the client side to what login settled. */
    void useDigests(boolean header, boolean data, int targetMaxRecv) {
        encoder.setHeaderDigest(header);
        encoder.setDataDigest(data);
        encoder.setMaxSendDataSegmentLength(targetMaxRecv);
        decoder.setHeaderDigest(header);
        decoder.setDataDigest(data);
        decoder.setMaxRecvDataSegmentLength(Bhs.MAX_DATA_SEGMENT_LENGTH);
    }

    void send(IscsiPdu pdu) {
        assertTrue(clientEncoder.writeOutbound(pdu));
        ByteBuf bytes;
        while ((bytes = clientEncoder.readOutbound()) != null) {
            target.writeInbound(bytes);
        }
        target.runPendingTasks();
    }

    /** Sends {@code pdu} with the last byte on the wire flipped: with DataDigest, a bad data digest. */
    void sendWithLastByteFlipped(IscsiPdu pdu) {
        assertTrue(clientEncoder.writeOutbound(pdu));
        ByteBuf whole = io.netty.buffer.Unpooled.buffer();
        ByteBuf bytes;
        while ((bytes = clientEncoder.readOutbound()) != null) {
            whole.writeBytes(bytes);
            bytes.release();
        }
        int last = whole.writerIndex() - 1;
        whole.setByte(last, whole.getByte(last) ^ 0x01);
        target.writeInbound(whole);
        target.runPendingTasks();
    }

    /** Every PDU the target sent so far; the caller releases them. */
    List<IscsiPdu> receive() {
        target.runPendingTasks();
        Object out;
        while ((out = target.readOutbound()) != null) {
            clientDecoder.writeInbound(out);
        }
        List<IscsiPdu> pdus = new ArrayList<>();
        Object in;
        while ((in = clientDecoder.readInbound()) != null) {
            pdus.add((IscsiPdu) in);
        }
        for (IscsiPdu p : pdus) {
            expStatSn = p.bhs().statSn() + 1;
        }
        return pdus;
    }

    /** Exactly one PDU back. */
    IscsiPdu receiveOne() {
        List<IscsiPdu> pdus = receive();
        assertEquals(1, pdus.size(), pdus.toString());
        return pdus.get(0);
    }

    IscsiPdu login(boolean transit, int csg, int nsg, TextParameters text) {
        IscsiPdu pdu = IscsiPdu.create(UnpooledByteBufAllocator.DEFAULT, IscsiOpcode.LOGIN_REQUEST, bytes(text));
        pdu.bhs().immediate(true).transit(transit).csg(csg).nsg(nsg).isid(ISID).initiatorTaskTag(itt)
                .cmdSn(cmdSn).expStatSn(expStatSn);
        send(pdu);
        return receiveOne();
    }

    /** AuthMethod=None, then operational keys, ending in the full feature phase. */
    void loginNone(TextParameters operational) throws IscsiTextException {
        IscsiPdu r1 = login(true, 0, 1, new TextParameters().add("InitiatorName", INITIATOR)
                .add("SessionType", "Normal").add("TargetName", IscsiTargetConfig.DEFAULT_TARGET_NAME)
                .add("AuthMethod", "None"));
        assertEquals(0, r1.bhs().statusClass());
        r1.release();
        IscsiPdu r2 = login(true, 1, 3, operational);
        assertEquals(0, r2.bhs().statusClass());
        assertTrue(r2.bhs().transit());
        TextParameters answer = text(r2);
        r2.release();
        boolean hd = "CRC32C".equals(answer.get("HeaderDigest"));
        boolean dd = "CRC32C".equals(answer.get("DataDigest"));
        useDigests(hd, dd, Integer.parseInt(answer.get("MaxRecvDataSegmentLength")));
    }

    int nextItt() {
        return ++itt;
    }

    static ByteBuf bytes(TextParameters text) {
        ByteBuf b = Unpooled.buffer(text.encodedLength());
        text.writeTo(b);
        return b;
    }

    static TextParameters text(IscsiPdu pdu) {
        try {
            return TextParameters.parse(pdu.data());
        } catch (IscsiTextException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        target.finishAndReleaseAll();
        clientEncoder.finishAndReleaseAll();
        Object in;
        while ((in = clientDecoder.readInbound()) != null) {
            ((IscsiPdu) in).release();
        }
        clientDecoder.finishAndReleaseAll();
        assertEquals(0, allocator.metric().usedDirectMemory(), "target leaked direct buffers");
        assertEquals(0, allocator.metric().usedHeapMemory(), "target leaked heap buffers");
    }
}
