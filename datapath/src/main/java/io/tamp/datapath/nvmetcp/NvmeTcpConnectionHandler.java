package io.tamp.datapath.nvmetcp;

import io.tamp.datapath.frontend.InlineReads;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.tamp.datapath.nvme.Completion;
import io.tamp.datapath.nvme.NvmeQueue;
import io.tamp.datapath.nvme.NvmeSubsystem;
import io.tamp.datapath.nvme.Sqe;
import io.tamp.datapath.nvme.Status;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One NVMe/TCP connection, controller side, which is one queue: ICReq/ICResp, then command
 * capsules. Write data comes in the capsule or is solicited with R2Ts of at most MAXH2CDATA
 * and gathered from H2CData PDUs; read data goes out in C2HData PDUs, the last one carrying
 * the SUCCESS flag instead of a response capsule when the host disabled SQ flow control.
 * Fatal protocol errors end in a C2HTermReq and a closed connection; command errors in a
 * completion with the status the spec gives. Everything runs on the channel's event loop.
 */
public final class NvmeTcpConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(NvmeTcpConnectionHandler.class);
    /** Largest H2CData data the host may send (MAXH2CDATA). */
    public static final int MAX_H2C_DATA = 128 * 1024;
    static final int C2H_DATA_CHUNK = 128 * 1024;
    private static final int CONNECT = 0x01;
    private static final int PROPERTY_SET = 0x00;
    private static final int PROPERTY_GET = 0x04;
    private static final int DISCONNECT = 0x08;

    private final NvmeSubsystem subsystem;
    private NvmeTcpDecoder decoder;
    private NvmeTcpEncoder encoder;
    private boolean initialized;
    private boolean closing;
    private NvmeQueue queue;
    private final Map<Integer, Pending> pending = new HashMap<>();
    /** Writes waiting for room in the subsystem's write buffer before their first R2T, in order. */
    private final java.util.ArrayDeque<Pending> deferred = new java.util.ArrayDeque<>();
    private boolean retryScheduled;
    private int nextTransferTag = 1;

    /** A command between its capsule and its response. */
    private static final class Pending {
        final Sqe sqe;
        final int cid;
        ByteBuf data;
        int expected;
        int received;
        int r2tTag = -1;
        int r2tEnd;
        boolean failed;
        /** Bytes of the subsystem's write buffer this command holds. */
        long reserved;

        Pending(Sqe sqe) {
            this.sqe = sqe;
            this.cid = sqe.cid();
        }
    }

    public NvmeTcpConnectionHandler(NvmeSubsystem subsystem) {
        this.subsystem = subsystem;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        decoder = ctx.pipeline().get(NvmeTcpDecoder.class);
        encoder = ctx.pipeline().get(NvmeTcpEncoder.class);
        if (decoder == null || encoder == null) {
            throw new IllegalStateException("NvmeTcpConnectionHandler needs the NVMe/TCP decoder and encoder before it");
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof NvmeTcpDecodeError e) {
            terminate(ctx, e.fes(), e.fei(), e.header(), e.reason());
            return;
        }
        if (msg instanceof NvmeTcpDecoder.DataDigestError e) {
            try {
                onDataDigestError(ctx, e);
            } finally {
                e.header().release();
            }
            return;
        }
        if (!(msg instanceof NvmeTcpPdu pdu)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (closing) {
                return;
            }
            if (!initialized) {
                onFirstPdu(ctx, pdu);
                return;
            }
            switch (pdu.type()) {
                case CAPSULE_CMD -> onCapsule(ctx, pdu);
                case H2C_DATA -> onH2CData(ctx, pdu);
                case H2C_TERM_REQ -> {
                    LOG.info("NVMe/TCP host {} terminated the connection (FES {})", ctx.channel().remoteAddress(),
                            pdu.u16(8));
                    closing = true;
                    ctx.close();
                }
                default -> terminate(ctx, NvmeTcpDecodeError.PDU_SEQUENCE_ERROR, 0, headerBytes(pdu),
                        pdu.type() + " after initialization");
            }
        } finally {
            pdu.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        pending.values().forEach(p -> {
            if (p.data != null) {
                p.data.release();
                p.data = null;
            }
            if (p.reserved > 0) {
                subsystem.writeBuffer().release(p.reserved);
                p.reserved = 0;
            }
        });
        pending.clear();
        deferred.clear();
        if (queue != null && queue.qid() == 0) {
            queue.controller().failAdminQueueGone();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.warn("NVMe/TCP connection {} failed; closing", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }

    private static byte[] headerBytes(NvmeTcpPdu pdu) {
        byte[] b = new byte[Math.min(pdu.header().readableBytes(), NvmeTcpDecodeError.MAX_ECHOED_HEADER)];
        pdu.header().getBytes(pdu.header().readerIndex(), b);
        return b;
    }

    /** C2HTermReq with the offending header, then close (NVMe TCP 3.6.2.9). */
    private void terminate(ChannelHandlerContext ctx, int fes, long fei, byte[] header, String reason) {
        if (closing) {
            return;
        }
        closing = true;
        LOG.info("NVMe/TCP {}: fatal error {} ({}); terminating", ctx.channel().remoteAddress(), fes, reason);
        NvmeTcpPdu term = NvmeTcpPdu.create(ctx.alloc(), PduType.C2H_TERM_REQ, Unpooled.wrappedBuffer(header));
        term.u16(8, fes).u32(10, fei);
        ctx.writeAndFlush(term).addListener(ChannelFutureListener.CLOSE);
    }

    // ---------------------------------------------------------------- initialization

    private void onFirstPdu(ChannelHandlerContext ctx, NvmeTcpPdu pdu) {
        if (pdu.type() != PduType.IC_REQ) {
            terminate(ctx, NvmeTcpDecodeError.PDU_SEQUENCE_ERROR, 0, headerBytes(pdu), pdu.type() + " before ICReq");
            return;
        }
        int pfv = pdu.u16(8);
        int hpda = pdu.u8(10);
        int dgst = pdu.u8(11);
        if (pfv != 0) {
            terminate(ctx, NvmeTcpDecodeError.UNSUPPORTED_PARAMETER, 8, headerBytes(pdu), "PFV " + pfv);
            return;
        }
        if (hpda > 31) {
            terminate(ctx, NvmeTcpDecodeError.INVALID_HEADER_FIELD, 10, headerBytes(pdu), "HPDA " + hpda);
            return;
        }
        boolean hd = (dgst & 0x01) != 0;
        boolean dd = (dgst & 0x02) != 0;
        NvmeTcpPdu resp = NvmeTcpPdu.create(ctx.alloc(), PduType.IC_RESP, null);
        resp.u16(8, 0).u8(10, 0).u8(11, dgst & 0x03).u32(12, MAX_H2C_DATA);
        ctx.writeAndFlush(resp);
        // ICResp itself goes out plain; everything after it uses what was agreed.
        encoder.setDigests(hd, dd);
        encoder.setHostPduDataAlignment(hpda);
        decoder.setDigests(hd, dd);
        initialized = true;
    }

    // ---------------------------------------------------------------- commands

    private void onCapsule(ChannelHandlerContext ctx, NvmeTcpPdu pdu) {
        ByteBuf sqeBytes = Unpooled.buffer(Sqe.BYTES, Sqe.BYTES);
        pdu.header().getBytes(pdu.header().readerIndex() + 8, sqeBytes, Sqe.BYTES);
        Sqe sqe = new Sqe(sqeBytes);
        Pending p = new Pending(sqe);
        if (pending.containsKey(p.cid)) {
            terminate(ctx, NvmeTcpDecodeError.INVALID_HEADER_FIELD, 10, headerBytes(pdu),
                    "command id " + p.cid + " already outstanding");
            return;
        }
        boolean fabrics = sqe.opcode() == Sqe.FABRICS;
        if (queue == null && !(fabrics && sqe.fabricsType() == CONNECT)) {
            respond(ctx, p, Completion.error(Status.COMMAND_SEQUENCE_ERROR));
            return;
        }
        ByteBuf inCapsule = pdu.data();
        long sglLength = sqe.sglLength();
        int sgl = sqe.sglIdentifier();
        if (!fabrics && sqe.psdt() == 0x00 && (sqe.hostToController() || sqe.controllerToHost())) {
            respond(ctx, p, Completion.error(Status.INVALID_FIELD)); // PRPs: NVMe over fabrics describes data with SGLs
            return;
        }
        if (sqe.hostToController() && sglLength > 0) {
            long limit = sgl == Sqe.SGL_IN_CAPSULE ? inCapsule.readableBytes() : NvmeSubsystem.MAX_TRANSFER_BYTES;
            if (sgl != Sqe.SGL_IN_CAPSULE && sgl != Sqe.SGL_TRANSPORT) {
                respond(ctx, p, Completion.error(Status.SGL_TYPE_INVALID));
                return;
            }
            if (sgl == Sqe.SGL_IN_CAPSULE && (sqe.sglAddress() != 0 || sglLength != inCapsule.readableBytes())) {
                respond(ctx, p, Completion.error(Status.SGL_DATA_LENGTH_INVALID));
                return;
            }
            if (sgl == Sqe.SGL_TRANSPORT && (inCapsule.isReadable() || sglLength > limit)) {
                respond(ctx, p, Completion.error(sglLength > limit ? Status.INVALID_FIELD
                        : Status.SGL_DATA_LENGTH_INVALID));
                return;
            }
            p.expected = (int) sglLength;
            pending.put(p.cid, p);
            if (sgl == Sqe.SGL_IN_CAPSULE) {
                p.data = inCapsule.retainedSlice();
                p.received = p.expected;
                execute(ctx, p);
            } else {
                deferred.add(p);
                startDeferred(ctx);
            }
            return;
        }
        if (inCapsule.isReadable()) {
            respond(ctx, p, Completion.error(Status.SGL_DATA_LENGTH_INVALID));
            return;
        }
        if (sqe.controllerToHost() && sglLength > 0 && (sgl != Sqe.SGL_TRANSPORT || sglLength > NvmeSubsystem.MAX_TRANSFER_BYTES)) {
            respond(ctx, p, Completion.error(sgl != Sqe.SGL_TRANSPORT ? Status.SGL_TYPE_INVALID : Status.INVALID_FIELD));
            return;
        }
        p.expected = (int) sglLength;
        pending.put(p.cid, p);
        execute(ctx, p);
    }

    /**
     * Gives waiting writes their buffers, in order, while the subsystem has room, and solicits
     * their data. What cannot start now is retried shortly: room may free up on another queue.
     * Nothing is refused: the host just sees its first R2T later.
     */
    private void startDeferred(ChannelHandlerContext ctx) {
        while (!deferred.isEmpty()) {
            Pending p = deferred.peek();
            if (pending.get(p.cid) != p) {
                deferred.poll();
                continue;
            }
            if (!subsystem.writeBuffer().tryReserve(p.expected)) {
                if (!retryScheduled) {
                    retryScheduled = true;
                    ctx.executor().schedule(() -> {
                        retryScheduled = false;
                        if (ctx.channel().isActive()) {
                            startDeferred(ctx);
                        }
                    }, 1, java.util.concurrent.TimeUnit.MILLISECONDS);
                }
                return;
            }
            deferred.poll();
            p.reserved = p.expected;
            p.data = ctx.alloc().buffer(p.expected, p.expected);
            p.data.writerIndex(p.expected);
            solicit(ctx, p);
        }
    }

    /** Gives back the command's share of the write buffer (once). */
    private void releaseReservation(ChannelHandlerContext ctx, Pending p) {
        if (p.reserved > 0) {
            subsystem.writeBuffer().release(p.reserved);
            p.reserved = 0;
            if (!deferred.isEmpty()) {
                startDeferred(ctx);
            }
        }
    }

    /** One R2T for the next MAXH2CDATA of the transfer. */
    private void solicit(ChannelHandlerContext ctx, Pending p) {
        int length = Math.min(MAX_H2C_DATA, p.expected - p.received);
        p.r2tTag = nextTransferTag++ & 0xFFFF;
        p.r2tEnd = p.received + length;
        NvmeTcpPdu r2t = NvmeTcpPdu.create(ctx.alloc(), PduType.R2T, null);
        r2t.u16(8, p.cid).u16(10, p.r2tTag).u32(12, p.received).u32(16, length);
        ctx.writeAndFlush(r2t);
    }

    private void onH2CData(ChannelHandlerContext ctx, NvmeTcpPdu pdu) {
        int cccid = pdu.u16(8);
        int ttag = pdu.u16(10);
        long offset = pdu.u32(12);
        long length = pdu.u32(16);
        Pending p = pending.get(cccid);
        if (p == null || p.r2tTag < 0) {
            terminate(ctx, NvmeTcpDecodeError.INVALID_HEADER_FIELD, 8, headerBytes(pdu), "H2CData for command "
                    + cccid + " with no R2T outstanding");
            return;
        }
        if (ttag != p.r2tTag) {
            terminate(ctx, NvmeTcpDecodeError.INVALID_HEADER_FIELD, 10, headerBytes(pdu), "TTAG " + ttag);
            return;
        }
        if (offset != p.received || length != pdu.data().readableBytes() || offset + length > p.r2tEnd) {
            terminate(ctx, NvmeTcpDecodeError.DATA_TRANSFER_OUT_OF_RANGE, 12, headerBytes(pdu), "DATAO " + offset
                    + " DATAL " + length + " for R2T up to " + p.r2tEnd + " at " + p.received);
            return;
        }
        boolean last = (pdu.flags() & PduType.FLAG_LAST_PDU) != 0;
        if (last != (offset + length == p.r2tEnd)) {
            terminate(ctx, NvmeTcpDecodeError.INVALID_HEADER_FIELD, 1, headerBytes(pdu), "LAST_PDU at " + (offset + length)
                    + " of an R2T ending at " + p.r2tEnd);
            return;
        }
        if (!p.failed) {
            p.data.setBytes((int) offset, pdu.data(), pdu.data().readerIndex(), (int) length);
        }
        advance(ctx, p, (int) length, last);
    }

    /**
     * {@code length} more bytes of p's transfer arrived (stored, or lost to a digest error): at the
     * end of an R2T, solicit the next, or run the command, or fail it if any of its data was lost.
     */
    private void advance(ChannelHandlerContext ctx, Pending p, int length, boolean last) {
        p.received += length;
        if (!last) {
            return;
        }
        p.r2tTag = -1;
        if (p.received < p.expected) {
            solicit(ctx, p);
        } else if (p.failed) {
            pending.remove(p.cid);
            p.data.release();
            p.data = null;
            respond(ctx, p, Completion.error(Status.TRANSIENT_TRANSPORT_ERROR));
        } else {
            execute(ctx, p);
        }
    }

    private void onDataDigestError(ChannelHandlerContext ctx, NvmeTcpDecoder.DataDigestError e) {
        ByteBuf h = e.header();
        int base = h.readerIndex();
        if (e.type() == PduType.CAPSULE_CMD) {
            int cid = h.getUnsignedShortLE(base + 8 + 2);
            ByteBuf sqeBytes = Unpooled.buffer(Sqe.BYTES);
            h.getBytes(base + 8, sqeBytes, Sqe.BYTES);
            LOG.info("NVMe/TCP {}: data digest error in command {}", ctx.channel().remoteAddress(), cid);
            respond(ctx, new Pending(new Sqe(sqeBytes)), Completion.error(Status.TRANSIENT_TRANSPORT_ERROR));
            return;
        }
        if (e.type() == PduType.H2C_DATA) {
            Pending p = pending.get(h.getUnsignedShortLE(base + 8));
            if (p != null) {
                // The rest of the transfer still arrives; the command then fails without writing.
                p.failed = true;
                long offset = h.getUnsignedIntLE(base + 12);
                long length = h.getUnsignedIntLE(base + 16);
                boolean last = (h.getUnsignedByte(base + 1) & PduType.FLAG_LAST_PDU) != 0;
                if (offset == p.received && p.r2tTag >= 0) {
                    advance(ctx, p, (int) length, last);
                }
            }
        }
    }

    private void execute(ChannelHandlerContext ctx, Pending p) {
        ByteBuf data = p.data;
        p.data = null;
        Sqe sqe = p.sqe;
        CompletableFuture<Completion> future;
        if (sqe.opcode() == Sqe.FABRICS) {
            future = CompletableFuture.completedFuture(fabrics(ctx, sqe, data));
        } else if (queue.qid() == 0) {
            future = queue.controller().submitAdmin(sqe, data);
        } else {
            future = queue.controller().submitIo(sqe, data, InlineReads.alone(pending.size(), decoder));
        }
        future.whenComplete((c, failure) -> {
            Completion done = failure != null ? Completion.error(Status.INTERNAL_ERROR) : c;
            if (failure != null) {
                LOG.error("NVMe command {} failed", sqe.opcode(), failure);
            }
            if (ctx.executor().inEventLoop()) {
                complete(ctx, p, done);
            } else {
                ctx.executor().execute(() -> complete(ctx, p, done));
            }
        });
    }

    private Completion fabrics(ChannelHandlerContext ctx, Sqe sqe, ByteBuf data) {
        try {
            switch (sqe.fabricsType()) {
                case CONNECT -> {
                    if (queue != null) {
                        return Completion.error(Status.COMMAND_SEQUENCE_ERROR);
                    }
                    NvmeSubsystem.Connected c = subsystem.connect(sqe, data,
                            (InetSocketAddress) ctx.channel().localAddress());
                    if (c.queue() != null) {
                        queue = c.queue();
                        queue.controller().onFailure(() -> ctx.channel().close());
                        if (queue.qid() != 0) {
                            decoder.setMaxInCapsuleData(NvmeSubsystem.IO_IN_CAPSULE_BYTES);
                        }
                    }
                    return c.completion();
                }
                case PROPERTY_GET, PROPERTY_SET -> {
                    if (queue.qid() != 0) {
                        return Completion.error(Status.INVALID_FIELD);
                    }
                    return sqe.fabricsType() == PROPERTY_GET ? queue.controller().propertyGet(sqe)
                            : queue.controller().propertySet(sqe);
                }
                case DISCONNECT -> {
                    closing = true;
                    ctx.channel().eventLoop().execute(() -> ctx.close());
                    return Completion.success();
                }
                default -> {
                    return Completion.error(Status.INVALID_OPCODE);
                }
            }
        } finally {
            if (data != null) {
                data.release();
            }
        }
    }

    private void complete(ChannelHandlerContext ctx, Pending p, Completion c) {
        pending.remove(p.cid);
        ByteBuf dataIn = c.dataIn();
        if (!ctx.channel().isActive()) {
            if (dataIn != null) {
                dataIn.release();
            }
            return;
        }
        boolean success = c.ok();
        if (dataIn != null) {
            int bytes = (int) Math.min(dataIn.readableBytes(), p.expected);
            boolean collapse = success && queue != null && !queue.sqFlowControl();
            if (bytes == 0) {
                dataIn.release();
                collapse = false;
            } else {
                sendC2HData(ctx, p, dataIn, bytes, collapse);
            }
            if (collapse) {
                queue.consume();
                ctx.flush();
                releaseReservation(ctx, p);
                return;
            }
        }
        respond(ctx, p, c);
    }

    private void sendC2HData(ChannelHandlerContext ctx, Pending p, ByteBuf dataIn, int bytes, boolean success) {
        try {
            for (int offset = 0; offset < bytes; offset += C2H_DATA_CHUNK) {
                int n = Math.min(C2H_DATA_CHUNK, bytes - offset);
                boolean last = offset + n == bytes;
                NvmeTcpPdu pdu = NvmeTcpPdu.create(ctx.alloc(), PduType.C2H_DATA,
                        dataIn.retainedSlice(dataIn.readerIndex() + offset, n));
                pdu.flags((last ? PduType.FLAG_LAST_PDU : 0) | (last && success ? PduType.FLAG_SUCCESS : 0));
                pdu.u16(8, p.cid).u32(12, offset).u32(16, n);
                ctx.write(pdu);
            }
        } finally {
            dataIn.release();
        }
    }

    /** CapsuleResp carrying the CQE. */
    private void respond(ChannelHandlerContext ctx, Pending p, Completion c) {
        pending.remove(p.cid);
        if (c.dataIn() != null && c.dataIn().refCnt() > 0 && !c.ok()) {
            c.dataIn().release();
        }
        NvmeTcpPdu resp = NvmeTcpPdu.create(ctx.alloc(), PduType.CAPSULE_RESP, null);
        int sqhd = queue != null ? queue.consume() : 0;
        resp.u32(8, c.dw0()).u32(12, c.dw1()).u16(16, sqhd).u16(18, queue != null ? queue.qid() : 0)
                .u16(20, p.cid).u16(22, c.status() << 1);
        ctx.writeAndFlush(resp);
        releaseReservation(ctx, p); // after the response: a write waiting for room is solicited next
    }
}
