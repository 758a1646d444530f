package io.tamp.datapath.iscsi;

import io.tamp.datapath.frontend.InlineReads;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Frames a byte stream into {@link IscsiPdu}s (RFC 7143 §11.2): BHS, AHS, header digest,
 * data segment, padding to 4 bytes, data digest.
 *
 * <p>Emits either an {@link IscsiPdu} (the next handler releases it) or an
 * {@link IscsiDecodeError}; it never throws for bad input. After an error whose outcome is
 * {@link IscsiDecodeError.Outcome#DROP_CONNECTION} it discards all further bytes.
 *
 * <p>Every length is capped before anything is buffered for it: the AHS by
 * {@code maxAhsBytes}, the data segment by the negotiated MaxRecvDataSegmentLength (8192
 * until login negotiates otherwise, RFC 7143 §13.12). With a header digest in use the
 * digest is checked before the caps, so a corrupted length reads as a digest error.
 *
 * <p>Digests and MaxRecvDataSegmentLength can change at runtime, from the channel's event
 * loop. The decoder emits at most one PDU per {@code decode} call, and
 * {@link ByteToMessageDecoder} hands each to the next handler before decoding on; a
 * setting changed while that handler processes PDU n therefore applies from PDU n+1 on
 * (e.g. digests switched on when the last Login Request is accepted).
 *
 * <p>Data segments are retained slices of the cumulation, never copies.
 */
public final class IscsiPduDecoder extends InlineReads.Decoder {
    /** RFC 7143 §13.12: the default, and the value in force during login. */
    public static final int DEFAULT_MAX_RECV_DATA_SEGMENT_LENGTH = 8192;
    public static final int MIN_MAX_RECV_DATA_SEGMENT_LENGTH = 512;
    /**
     * Room for the two AHS types RFC 7143 defines: an extended CDB of up to 260 bytes
     * (4-byte AHS header + 244 bytes) and the 8-byte bidirectional read length.
     */
    public static final int DEFAULT_MAX_AHS_BYTES = 256;

    enum State { BHS, AHS, HEADER_DIGEST, DATA, PADDING, DATA_DIGEST, FAILED }

    private final int maxAhsBytes;
    private final IscsiDigest digest = new IscsiDigest();

    private boolean headerDigest;
    private boolean dataDigest;
    private int maxRecvDataSegmentLength = DEFAULT_MAX_RECV_DATA_SEGMENT_LENGTH;

    private State state = State.BHS;
    // The PDU under construction; digests are latched when its BHS arrives.
    private ByteBuf bhs;
    private ByteBuf ahs;
    private ByteBuf data;
    private int ahsBytes;
    private int dataBytes;
    private int padBytes;
    private boolean pduHeaderDigest;
    private boolean pduDataDigest;
    private int expectedDataDigest;

    public IscsiPduDecoder() {
        this(DEFAULT_MAX_AHS_BYTES);
    }

    public IscsiPduDecoder(int maxAhsBytes) {
        if (maxAhsBytes < 0 || maxAhsBytes > 255 * 4) {
            throw new IllegalArgumentException("maxAhsBytes " + maxAhsBytes);
        }
        this.maxAhsBytes = maxAhsBytes;
    }

    public void setHeaderDigest(boolean enabled) {
        this.headerDigest = enabled;
    }

    public void setDataDigest(boolean enabled) {
        this.dataDigest = enabled;
    }

    public boolean headerDigest() {
        return headerDigest;
    }

    public boolean dataDigest() {
        return dataDigest;
    }

    /** Our declared MaxRecvDataSegmentLength, 512 to 2^24-1 bytes (RFC 7143 §13.12). */
    public void setMaxRecvDataSegmentLength(int bytes) {
        if (bytes < MIN_MAX_RECV_DATA_SEGMENT_LENGTH || bytes > Bhs.MAX_DATA_SEGMENT_LENGTH) {
            throw new IllegalArgumentException("MaxRecvDataSegmentLength " + bytes);
        }
        this.maxRecvDataSegmentLength = bytes;
    }

    public int maxRecvDataSegmentLength() {
        return maxRecvDataSegmentLength;
    }

    State state() {
        return state;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (state) {
            case BHS:
                if (in.readableBytes() < Bhs.LENGTH) {
                    return;
                }
                startPdu(in.readRetainedSlice(Bhs.LENGTH));
                state = State.AHS;
                // fall through
            case AHS:
                if (ahsBytes > 0) {
                    if (in.readableBytes() < ahsBytes) {
                        return;
                    }
                    ahs = in.readRetainedSlice(ahsBytes);
                }
                state = State.HEADER_DIGEST;
                // fall through
            case HEADER_DIGEST:
                if (pduHeaderDigest) {
                    if (in.readableBytes() < IscsiDigest.LENGTH) {
                        return;
                    }
                    int received = IscsiDigest.read(in, in.readerIndex());
                    in.skipBytes(IscsiDigest.LENGTH);
                    digest.reset();
                    digest.update(bhs);
                    digest.update(ahs);
                    if (received != digest.value()) {
                        fail(in, out, IscsiDecodeError.Kind.HEADER_DIGEST_ERROR, String.format(
                                "header digest %08x, computed %08x", received, digest.value()));
                        return;
                    }
                }
                if (ahsBytes > maxAhsBytes) {
                    fail(in, out, IscsiDecodeError.Kind.AHS_TOO_LONG,
                            "TotalAHSLength " + ahsBytes + " bytes > " + maxAhsBytes);
                    return;
                }
                if (dataBytes > maxRecvDataSegmentLength) {
                    fail(in, out, IscsiDecodeError.Kind.DATA_SEGMENT_TOO_LONG, "DataSegmentLength "
                            + dataBytes + " > MaxRecvDataSegmentLength " + maxRecvDataSegmentLength);
                    return;
                }
                state = State.DATA;
                // fall through
            case DATA:
                if (dataBytes > 0) {
                    if (in.readableBytes() < dataBytes) {
                        return;
                    }
                    data = in.readRetainedSlice(dataBytes);
                }
                state = State.PADDING;
                // fall through
            case PADDING:
                if (in.readableBytes() < padBytes) {
                    return;
                }
                if (pduDataDigest) {
                    digest.reset();
                    digest.update(data);
                    digest.update(in, in.readerIndex(), padBytes);
                    expectedDataDigest = digest.value();
                }
                in.skipBytes(padBytes);
                state = State.DATA_DIGEST;
                // fall through
            case DATA_DIGEST:
                if (pduDataDigest) {
                    if (in.readableBytes() < IscsiDigest.LENGTH) {
                        return;
                    }
                    int received = IscsiDigest.read(in, in.readerIndex());
                    in.skipBytes(IscsiDigest.LENGTH);
                    if (received != expectedDataDigest) {
                        reject(out, IscsiDecodeError.Kind.DATA_DIGEST_ERROR, String.format(
                                "data digest %08x, computed %08x", received, expectedDataDigest));
                        return;
                    }
                }
                finishPdu(out);
                return;
            case FAILED:
                in.skipBytes(in.readableBytes());
                return;
            default:
                throw new IllegalStateException(state.name());
        }
    }

    private void startPdu(ByteBuf header) {
        bhs = header;
        ahs = Unpooled.EMPTY_BUFFER;
        data = Unpooled.EMPTY_BUFFER;
        ahsBytes = header.getUnsignedByte(Bhs.TOTAL_AHS_LENGTH_OFFSET) * 4;
        dataBytes = header.getUnsignedMedium(Bhs.DATA_SEGMENT_LENGTH_OFFSET);
        padBytes = -dataBytes & 3;
        pduHeaderDigest = headerDigest;
        // RFC 7143 §11.2: a PDU without a data segment carries no data digest.
        pduDataDigest = dataDigest && dataBytes > 0;
    }

    private void finishPdu(List<Object> out) {
        if (IscsiOpcode.lookup(bhs.getUnsignedByte(Bhs.OPCODE_OFFSET)) == null) {
            reject(out, IscsiDecodeError.Kind.UNKNOWN_OPCODE, String.format("opcode 0x%02x",
                    bhs.getUnsignedByte(Bhs.OPCODE_OFFSET) & IscsiOpcode.MASK));
            return;
        }
        IscsiPdu pdu = new IscsiPdu(bhs, ahs, data);
        bhs = null;
        ahs = null;
        data = null;
        state = State.BHS;
        out.add(pdu);
    }

    /** The PDU is discarded but the stream stays framed: decoding resumes at the next BHS. */
    private void reject(List<Object> out, IscsiDecodeError.Kind kind, String detail) {
        byte[] header = ByteBufUtil.getBytes(bhs);
        releasePdu();
        state = State.BHS;
        out.add(new IscsiDecodeError(kind, header, detail));
    }

    /** The stream is no longer framed: stop decoding for good. */
    private void fail(ByteBuf in, List<Object> out, IscsiDecodeError.Kind kind, String detail) {
        byte[] header = ByteBufUtil.getBytes(bhs);
        releasePdu();
        state = State.FAILED;
        in.skipBytes(in.readableBytes());
        out.add(new IscsiDecodeError(kind, header, detail));
    }

    private void releasePdu() {
        if (bhs != null) {
            bhs.release();
            bhs = null;
        }
        if (ahs != null) {
            ahs.release();
            ahs = null;
        }
        if (data != null) {
            data.release();
            data = null;
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out)
            throws Exception {
        super.decodeLast(ctx, in, out);
        // A PDU cut off by the end of the stream is dropped silently: the peer is gone.
        releasePdu();
        state = State.FAILED;
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        releasePdu();
    }
}
