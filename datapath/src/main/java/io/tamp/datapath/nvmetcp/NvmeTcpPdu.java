package io.tamp.datapath.nvmetcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.AbstractReferenceCounted;

/**
 * One NVMe/TCP PDU: its header (common header + PDU-specific header, {@code HLEN} bytes) and
 * its data (possibly empty). Digests and padding are the codec's business. Reference counted:
 * releasing the PDU releases both buffers.
 *
 * <pre>
 * common header: 0 PDU-TYPE  1 FLAGS  2 HLEN  3 PDO  4..7 PLEN
 * CapsuleCmd   : 8..71 SQE (64 bytes)
 * CapsuleResp  : 8..23 CQE (16 bytes)
 * H2CData/R2T  : 8 CCCID(2) 10 TTAG(2) 12 DATAO/R2TO(4) 16 DATAL/R2TL(4)
 * C2HData      : 8 CCCID(2) 12 DATAO(4) 16 DATAL(4)
 * TermReq      : 8 FES(2) 10 FEI(4)
 * ICReq        : 8 PFV(2) 10 HPDA 11 DGST 12 MAXR2T(4)
 * ICResp       : 8 PFV(2) 10 CPDA 11 DGST 12 MAXH2CDATA(4)
 * </pre>
 */
public final class NvmeTcpPdu extends AbstractReferenceCounted {
    private final PduType type;
    private final ByteBuf header;
    private final ByteBuf data;

    public NvmeTcpPdu(PduType type, ByteBuf header, ByteBuf data) {
        this.type = type;
        this.header = header;
        this.data = data == null ? Unpooled.EMPTY_BUFFER : data;
    }

    /** A PDU of {@code type} with a zeroed header of the type's HLEN whose common header is filled in. */
    public static NvmeTcpPdu create(ByteBufAllocator alloc, PduType type, ByteBuf data) {
        ByteBuf h = alloc.buffer(type.headerLength, type.headerLength);
        h.writeZero(type.headerLength);
        h.setByte(0, type.code);
        h.setByte(2, type.headerLength);
        return new NvmeTcpPdu(type, h, data);
    }

    public PduType type() {
        return type;
    }

    /** The HLEN header bytes, index 0 = PDU-TYPE. */
    public ByteBuf header() {
        return header;
    }

    public ByteBuf data() {
        return data;
    }

    public int flags() {
        return header.getUnsignedByte(1);
    }

    public NvmeTcpPdu flags(int flags) {
        header.setByte(1, flags);
        return this;
    }

    // PDU-specific fields, little endian as the spec has them.

    public int u8(int offset) {
        return header.getUnsignedByte(offset);
    }

    public int u16(int offset) {
        return header.getUnsignedShortLE(offset);
    }

    public long u32(int offset) {
        return header.getUnsignedIntLE(offset);
    }

    public NvmeTcpPdu u8(int offset, int value) {
        header.setByte(offset, value);
        return this;
    }

    public NvmeTcpPdu u16(int offset, int value) {
        header.setShortLE(offset, value);
        return this;
    }

    public NvmeTcpPdu u32(int offset, long value) {
        header.setIntLE(offset, (int) value);
        return this;
    }

    @Override
    protected void deallocate() {
        header.release();
        data.release();
    }

    @Override
    public NvmeTcpPdu touch(Object hint) {
        header.touch(hint);
        data.touch(hint);
        return this;
    }

    @Override
    public String toString() {
        return type + "(flags=" + Integer.toHexString(flags()) + ", data=" + data.readableBytes() + ")";
    }
}
