package io.tamp.datapath.nvmetcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tamp.datapath.frontend.Crc32c;
import io.tamp.datapath.frontend.SocketPipe;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A small NVMe/TCP host for tests: one TCP connection = one queue. Speaks ICReq, Connect,
 * Property Get/Set, and sends command capsules with in-capsule data or answers R2Ts with
 * H2CData; gathers C2HData and the response capsule. Blocking, one command at a time unless
 * the test sends capsules itself. Our own codec builds and parses the bytes, so a test can
 * also put anything on the wire.
 */
final class NvmeTcpTestHost implements AutoCloseable {
    static final int ADMIN_ENTRIES = 32;

    final Socket socket;
    private final SocketPipe pipe;
    private final NvmeTcpEncoder encoder = new NvmeTcpEncoder();
    private final HostDecoder decoder = new HostDecoder();
    private int cid = 1;
    int maxH2CData;
    int controllerId;
    int qid;
    boolean headerDigest;
    boolean dataDigest;

    /** The result of one command: the CQE's status field (shifted right by one), DW0, and the data. */
    record Result(int status, long dw0, byte[] data, int sqhd, boolean viaSuccessFlag) {
        boolean ok() {
            return status == 0;
        }
    }

    NvmeTcpTestHost(int port) throws IOException {
        pipe = new SocketPipe(port, encoder, decoder);
        socket = pipe.socket;
    }

    /** Parses what the controller sends: frames by PLEN, checks digests it was told about. */
    private static final class HostDecoder extends io.netty.handler.codec.ByteToMessageDecoder {
        boolean hd;
        boolean dd;

        @Override
        protected void decode(io.netty.channel.ChannelHandlerContext ctx, ByteBuf buf, java.util.List<Object> out) {
            if (buf.readableBytes() < 8) {
                return;
            }
            int start = buf.readerIndex();
            long plen = buf.getUnsignedIntLE(start + 4);
            if (buf.readableBytes() < plen) {
                return;
            }
            PduType type = PduType.of(buf.getUnsignedByte(start));
            int hlen = buf.getUnsignedByte(start + 2);
            int pdo = buf.getUnsignedByte(start + 3);
            int flags = buf.getUnsignedByte(start + 1);
            boolean hdPresent = (flags & PduType.FLAG_HDGSTF) != 0;
            boolean ddPresent = (flags & PduType.FLAG_DDGSTF) != 0;
            if (hdPresent) {
                assertEquals(buf.getIntLE(start + hlen), Crc32c.of(buf, start, hlen), "header digest");
            }
            ByteBuf header = buf.retainedSlice(start, hlen);
            ByteBuf data = null;
            if (pdo > 0 && plen > pdo) {
                int n = (int) (plen - pdo - (ddPresent ? 4 : 0));
                if (ddPresent) {
                    assertEquals(buf.getIntLE(start + pdo + n), Crc32c.of(buf, start + pdo, n), "data digest");
                }
                data = buf.retainedSlice(start + pdo, n);
            } else if (type == PduType.C2H_TERM_REQ && plen > hlen) {
                data = buf.retainedSlice(start + hlen, (int) plen - hlen);
            }
            buf.skipBytes((int) plen);
            out.add(new NvmeTcpPdu(type, header, data));
        }
    }

    void send(NvmeTcpPdu pdu) throws IOException {
        pipe.send(pdu);
    }

    /** Sends the PDUs in one TCP write. */
    void sendTogether(NvmeTcpPdu... pdus) throws IOException {
        pipe.sendTogether((Object[]) pdus);
    }

    void sendRaw(byte[] bytes) throws IOException {
        pipe.sendRaw(bytes);
    }

    /** The next PDU; null when the controller closed the connection. */
    NvmeTcpPdu receive() throws IOException {
        return (NvmeTcpPdu) pipe.receive();
    }

    /** Drains until the controller closes; returns the C2HTermReq's FES if one came first, else -1. */
    int terminationStatus() throws IOException {
        int fes = -1;
        try {
            NvmeTcpPdu p;
            while ((p = receive()) != null) {
                if (p.type() == PduType.C2H_TERM_REQ && fes < 0) {
                    fes = p.u16(8);
                }
                p.release();
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the controller did not close the connection", e);
        }
        return fes;
    }

    /** ICReq / ICResp. */
    void initialize(boolean hdgst, boolean ddgst, int hpda) throws IOException {
        NvmeTcpPdu req = NvmeTcpPdu.create(UnpooledByteBufAllocator.DEFAULT, PduType.IC_REQ, null);
        req.u16(8, 0).u8(10, hpda).u8(11, (hdgst ? 1 : 0) | (ddgst ? 2 : 0)).u32(12, 0);
        send(req);
        NvmeTcpPdu resp = receive();
        try {
            assertEquals(PduType.IC_RESP, resp.type());
            maxH2CData = (int) resp.u32(12);
            headerDigest = (resp.u8(11) & 1) != 0;
            dataDigest = (resp.u8(11) & 2) != 0;
        } finally {
            resp.release();
        }
        encoder.setDigests(headerDigest, dataDigest);
        decoder.hd = headerDigest;
        decoder.dd = dataDigest;
    }

    /** A 64-byte SQE with opcode and a fresh command id. */
    ByteBuf sqe(int opcode, long nsid) {
        ByteBuf s = Unpooled.buffer(64, 64).writeZero(64);
        s.setByte(0, opcode);
        s.setByte(1, 0x40); // PSDT 01b: SGLs
        s.setShortLE(2, cid++ & 0xFFFF);
        s.setIntLE(4, (int) nsid);
        return s;
    }

    ByteBuf fabrics(int fctype) {
        ByteBuf s = sqe(0x7F, 0);
        s.setByte(4, fctype);
        return s;
    }

    /** Sets the SGL: in-capsule (0x01) with length, or transport (0x5A) with length. */
    static void sgl(ByteBuf sqe, int identifier, long length) {
        sqe.setLongLE(24, 0);
        sqe.setIntLE(32, (int) length);
        sqe.setByte(39, identifier);
    }

    NvmeTcpPdu capsule(ByteBuf sqe, ByteBuf inCapsule) {
        NvmeTcpPdu p = NvmeTcpPdu.create(UnpooledByteBufAllocator.DEFAULT, PduType.CAPSULE_CMD, inCapsule);
        p.header().setBytes(8, sqe, 0, 64);
        sqe.release();
        return p;
    }

    /**
     * Sends a command and runs it to completion: data to the controller goes in the capsule when
     * {@code inCapsule}, else as H2CData answering R2Ts; data from it is gathered from C2HData.
     */
    Result execute(ByteBuf sqe, byte[] dataOut, int dataInBytes, boolean inCapsule) throws IOException {
        int commandId = sqe.getUnsignedShortLE(2);
        ByteBuf capsuleData = null;
        if (dataOut != null) {
            sgl(sqe, inCapsule ? 0x01 : 0x5A, dataOut.length);
            if (inCapsule) {
                capsuleData = Unpooled.wrappedBuffer(dataOut);
            }
        } else if (dataInBytes > 0) {
            sgl(sqe, 0x5A, dataInBytes);
        }
        send(capsule(sqe, capsuleData));
        byte[] dataIn = new byte[Math.max(0, dataInBytes)];
        while (true) {
            NvmeTcpPdu p = receive();
            if (p == null) {
                throw new IOException("connection closed during command " + commandId);
            }
            try {
                switch (p.type()) {
                    case R2T -> {
                        assertEquals(commandId, p.u16(8));
                        int offset = (int) p.u32(12);
                        int length = (int) p.u32(16);
                        for (int at = offset; at < offset + length; at += maxH2CData) {
                            int n = Math.min(maxH2CData, offset + length - at);
                            NvmeTcpPdu d = NvmeTcpPdu.create(UnpooledByteBufAllocator.DEFAULT, PduType.H2C_DATA,
                                    Unpooled.wrappedBuffer(dataOut, at, n));
                            d.u16(8, commandId).u16(10, p.u16(10)).u32(12, at).u32(16, n);
                            d.flags(at + n == offset + length ? PduType.FLAG_LAST_PDU : 0);
                            send(d);
                        }
                    }
                    case C2H_DATA -> {
                        assertEquals(commandId, p.u16(8));
                        int offset = (int) p.u32(12);
                        p.data().getBytes(p.data().readerIndex(), dataIn, offset, p.data().readableBytes());
                        if ((p.flags() & PduType.FLAG_SUCCESS) != 0) {
                            return new Result(0, 0, dataIn, -1, true);
                        }
                    }
                    case CAPSULE_RESP -> {
                        assertEquals(commandId, p.u16(20), "CID of the response");
                        return new Result(p.u16(22) >>> 1, p.u32(8) | p.u32(12) << 32, dataIn, p.u16(16), false);
                    }
                    case C2H_TERM_REQ -> throw new IOException("controller terminated: FES " + p.u16(8));
                    default -> throw new IOException("unexpected " + p.type());
                }
            } finally {
                p.release();
            }
        }
    }

    /** Fabrics Connect; returns the result (DW0 = controller id). */
    Result connect(int qid, int entries, long katoMillis, int cntlid, String subnqn, String hostnqn,
            boolean disableSqFlow) throws IOException {
        ByteBuf s = fabrics(0x01);
        s.setShortLE(40, 0);
        s.setShortLE(42, qid);
        s.setShortLE(44, entries - 1);
        s.setByte(46, disableSqFlow ? 0x04 : 0);
        s.setIntLE(48, (int) katoMillis);
        byte[] data = new byte[1024];
        data[16] = (byte) cntlid;
        data[17] = (byte) (cntlid >>> 8);
        byte[] sub = subnqn.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(sub, 0, data, 256, sub.length);
        byte[] host = hostnqn.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(host, 0, data, 512, host.length);
        Result r = execute(s, data, 0, true);
        if (r.ok()) {
            this.qid = qid;
            this.controllerId = (int) (r.dw0() & 0xFFFF);
        }
        return r;
    }

    Result propertyGet(int offset, boolean eightBytes) throws IOException {
        ByteBuf s = fabrics(0x04);
        s.setByte(40, eightBytes ? 1 : 0);
        s.setIntLE(44, offset);
        return execute(s, null, 0, false);
    }

    Result propertySet(int offset, long value) throws IOException {
        ByteBuf s = fabrics(0x00);
        s.setByte(40, 0);
        s.setIntLE(44, offset);
        s.setLongLE(48, value);
        return execute(s, null, 0, false);
    }

    /** CC.EN = 1 with IOSQES 6 / IOCQES 4, then CSTS.RDY is expected. */
    void enable() throws IOException {
        assertEquals(0, propertySet(0x14, 1 | 6 << 16 | 4 << 20).status());
        assertEquals(1, propertyGet(0x1C, false).dw0() & 1, "CSTS.RDY");
    }

    Result identify(int cns, long nsid, int csi) throws IOException {
        ByteBuf s = sqe(0x06, nsid);
        s.setIntLE(40, cns);
        s.setIntLE(44, csi << 24);
        return execute(s, null, 4096, false);
    }

    Result getLogPage(int lid, int bytes, long nsid) throws IOException {
        ByteBuf s = sqe(0x02, nsid);
        long numd = bytes / 4 - 1;
        s.setIntLE(40, (int) (lid | (numd & 0xFFFF) << 16));
        s.setIntLE(44, (int) (numd >>> 16));
        return execute(s, null, bytes, false);
    }

    Result write(long nsid, long slba, byte[] data, boolean fua, boolean inCapsule) throws IOException {
        ByteBuf s = sqe(0x01, nsid);
        s.setLongLE(40, slba);
        s.setIntLE(48, (data.length / 512 - 1) | (fua ? 1 << 30 : 0));
        return execute(s, data, 0, inCapsule);
    }

    Result read(long nsid, long slba, int blocks) throws IOException {
        ByteBuf s = sqe(0x02, nsid);
        s.setLongLE(40, slba);
        s.setIntLE(48, blocks - 1);
        return execute(s, null, blocks * 512, false);
    }

    Result flush(long nsid) throws IOException {
        return execute(sqe(0x00, nsid), null, 0, false);
    }

    Result writeZeroes(long nsid, long slba, int blocks, boolean deallocate) throws IOException {
        ByteBuf s = sqe(0x08, nsid);
        s.setLongLE(40, slba);
        s.setIntLE(48, (blocks - 1) | (deallocate ? 1 << 25 : 0));
        return execute(s, null, 0, false);
    }

    Result deallocate(long nsid, long slba, int blocks) throws IOException {
        ByteBuf s = sqe(0x09, nsid);
        s.setIntLE(40, 0); // one range
        s.setIntLE(44, 0x04); // AD
        byte[] range = new byte[16];
        ByteBuf r = Unpooled.wrappedBuffer(range).writerIndex(0);
        r.writeIntLE(0).writeIntLE(blocks).writeLongLE(slba);
        return execute(s, range, 0, true);
    }

    Result compare(long nsid, long slba, byte[] data) throws IOException {
        ByteBuf s = sqe(0x05, nsid);
        s.setLongLE(40, slba);
        s.setIntLE(48, data.length / 512 - 1);
        return execute(s, data, 0, false);
    }

    Result setFeatures(int fid, long value) throws IOException {
        ByteBuf s = sqe(0x09, 0);
        s.setIntLE(40, fid);
        s.setIntLE(44, (int) value);
        return execute(s, null, 0, false);
    }

    Result getFeatures(int fid) throws IOException {
        ByteBuf s = sqe(0x0A, 0);
        s.setIntLE(40, fid);
        return execute(s, null, 0, false);
    }

    Result keepAlive() throws IOException {
        return execute(sqe(0x18, 0), null, 0, false);
    }

    /** Admin queue bring-up: ICReq, Connect to {@code subnqn}, enable. */
    static NvmeTcpTestHost admin(int port, String subnqn, String hostnqn, long katoMillis) throws IOException {
        NvmeTcpTestHost h = new NvmeTcpTestHost(port);
        h.initialize(false, false, 0);
        Result r = h.connect(0, ADMIN_ENTRIES, katoMillis, 0xFFFF, subnqn, hostnqn, false);
        assertEquals(0, r.status(), "admin Connect");
        h.enable();
        return h;
    }

    /** An I/O queue of an existing controller. */
    static NvmeTcpTestHost io(int port, int qid, int cntlid, String subnqn, String hostnqn, boolean digests,
            boolean disableSqFlow) throws IOException {
        NvmeTcpTestHost h = new NvmeTcpTestHost(port);
        h.initialize(digests, digests, 0);
        Result r = h.connect(qid, 64, 0, cntlid, subnqn, hostnqn, disableSqFlow);
        assertEquals(0, r.status(), "I/O Connect");
        return h;
    }

    @Override
    public void close() throws IOException {
        pipe.close();
    }
}
