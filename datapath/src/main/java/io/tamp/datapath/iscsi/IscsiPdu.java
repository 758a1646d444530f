package io.tamp.datapath.iscsi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.AbstractReferenceCounted;

/**
 * One iSCSI PDU: the 48-byte BHS, the additional header segments (possibly empty) and the
 * data segment (possibly empty, without padding).
 *
 * <p>The PDU owns its three buffers and is reference-counted as one: whoever consumes it
 * releases it. A handler that keeps the data segment past the PDU retains {@link #data()}.
 * The lengths in the BHS are informational on the way out: the encoder writes
 * TotalAHSLength and DataSegmentLength from the actual buffers.
 */
public final class IscsiPdu extends AbstractReferenceCounted {
    private final ByteBuf bhsBuffer;
    private final ByteBuf ahs;
    private final ByteBuf data;
    private final Bhs bhs;

    /**
     * Takes ownership of the three buffers. {@code bhsBuffer} holds exactly 48 readable
     * bytes; {@code ahs} is a whole number of 4-byte words.
     */
    public IscsiPdu(ByteBuf bhsBuffer, ByteBuf ahs, ByteBuf data) {
        if (bhsBuffer.readableBytes() != Bhs.LENGTH) {
            throw new IllegalArgumentException("BHS of " + bhsBuffer.readableBytes() + " bytes");
        }
        if (ahs.readableBytes() % 4 != 0 || ahs.readableBytes() > 255 * 4) {
            throw new IllegalArgumentException("AHS of " + ahs.readableBytes() + " bytes");
        }
        if (data.readableBytes() > Bhs.MAX_DATA_SEGMENT_LENGTH) {
            throw new IllegalArgumentException("data segment of " + data.readableBytes() + " bytes");
        }
        this.bhsBuffer = bhsBuffer;
        this.ahs = ahs;
        this.data = data;
        this.bhs = new Bhs().wrap(bhsBuffer, bhsBuffer.readerIndex());
    }

    /** A PDU with a zeroed BHS carrying {@code opcode}, no AHS, and {@code data} (owned). */
    public static IscsiPdu create(ByteBufAllocator alloc, IscsiOpcode opcode, ByteBuf data) {
        ByteBuf bhs = alloc.buffer(Bhs.LENGTH, Bhs.LENGTH).writeZero(Bhs.LENGTH);
        IscsiPdu pdu = new IscsiPdu(bhs, Unpooled.EMPTY_BUFFER, data);
        pdu.bhs().opcode(opcode).dataSegmentLength(data.readableBytes());
        return pdu;
    }

    /** A PDU with a zeroed BHS carrying {@code opcode} and no AHS or data. */
    public static IscsiPdu create(ByteBufAllocator alloc, IscsiOpcode opcode) {
        return create(alloc, opcode, Unpooled.EMPTY_BUFFER);
    }

    /**
     * A Reject PDU (RFC 7143 §11.17) with {@code reason} and the rejected PDU's 48-byte
     * header as its data segment. The caller fills in StatSN, ExpCmdSN and MaxCmdSN (and
     * DataSN/R2TSN where the reason needs it).
     */
    public static IscsiPdu reject(ByteBufAllocator alloc, int reason, byte[] rejectedHeader) {
        if (rejectedHeader.length != Bhs.LENGTH) {
            throw new IllegalArgumentException("rejected header of " + rejectedHeader.length + " bytes");
        }
        ByteBuf data = alloc.buffer(Bhs.LENGTH).writeBytes(rejectedHeader);
        IscsiPdu pdu = create(alloc, IscsiOpcode.REJECT, data);
        pdu.bhs().finalFlag(true).rejectReason(reason).initiatorTaskTag(0xffff_ffff);
        return pdu;
    }

    /** The header flyweight (one per PDU; it reads and writes the BHS in place). */
    public Bhs bhs() {
        return bhs;
    }

    /** The opcode, or {@code null} for an unassigned value. */
    public IscsiOpcode opcode() {
        return bhs.opcode();
    }

    /** The 48 BHS bytes (readable). */
    public ByteBuf bhsBuffer() {
        return bhsBuffer;
    }

    /** The additional header segments, a multiple of 4 bytes, often empty. */
    public ByteBuf ahs() {
        return ahs;
    }

    /** The data segment without padding, often empty. */
    public ByteBuf data() {
        return data;
    }

    @Override
    public IscsiPdu touch(Object hint) {
        bhsBuffer.touch(hint);
        ahs.touch(hint);
        data.touch(hint);
        return this;
    }

    @Override
    public IscsiPdu retain() {
        super.retain();
        return this;
    }

    @Override
    protected void deallocate() {
        bhsBuffer.release();
        ahs.release();
        data.release();
    }

    @Override
    public String toString() {
        IscsiOpcode op = opcode();
        return "IscsiPdu[" + (op == null ? String.format("0x%02x", bhs.opcodeValue()) : op)
                + ", itt=" + Integer.toHexString(bhs.initiatorTaskTag())
                + ", ahs=" + ahs.readableBytes() + ", data=" + data.readableBytes() + "]";
    }
}
