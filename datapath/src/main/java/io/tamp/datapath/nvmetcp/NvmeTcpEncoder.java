package io.tamp.datapath.nvmetcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.tamp.datapath.frontend.Crc32c;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Writes {@link NvmeTcpPdu}s: fills FLAGS (digest bits), PDO and PLEN into the common header,
 * appends the header digest, pads the data to the host's PDU data alignment (HPDA) and appends
 * the data digest. The data is not copied: the output is a composite of header, padding,
 * data and digests.
 */
public final class NvmeTcpEncoder extends MessageToMessageEncoder<NvmeTcpPdu> {
    private final CRC32C crc = new CRC32C();
    private boolean headerDigest;
    private boolean dataDigest;
    private int dataAlignment = 1;

    public void setDigests(boolean header, boolean data) {
        this.headerDigest = header;
        this.dataDigest = data;
    }

    /** HPDA from ICReq: data starts at a multiple of (HPDA + 1) × 4 bytes; 0 asks for none. */
    public void setHostPduDataAlignment(int hpda) {
        this.dataAlignment = hpda == 0 ? 1 : (hpda + 1) * 4;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, NvmeTcpPdu pdu, List<Object> out) {
        PduType type = pdu.type();
        ByteBuf header = pdu.header();
        int hlen = header.readableBytes();
        ByteBuf data = pdu.data();
        int dataBytes = data.readableBytes();
        boolean hd = headerDigest && type.digested();
        boolean dd = dataDigest && dataBytes > 0 && type != PduType.C2H_TERM_REQ;
        int headerBytes = hlen + (hd ? PduType.DIGEST_BYTES : 0);
        int pdo = 0;
        int pad = 0;
        long plen = headerBytes;
        if (dataBytes > 0) {
            pdo = (headerBytes + dataAlignment - 1) / dataAlignment * dataAlignment;
            pad = pdo - headerBytes;
            plen = pdo + dataBytes + (dd ? PduType.DIGEST_BYTES : 0);
        }
        int flags = header.getUnsignedByte(1) & ~(PduType.FLAG_HDGSTF | PduType.FLAG_DDGSTF);
        header.setByte(1, flags | (hd ? PduType.FLAG_HDGSTF : 0) | (dd ? PduType.FLAG_DDGSTF : 0));
        header.setByte(3, pdo);
        header.setIntLE(4, (int) plen);

        CompositeByteBuf wire = ctx.alloc().compositeBuffer(4);
        ByteBuf head = ctx.alloc().buffer(headerBytes + pad);
        head.writeBytes(header, header.readerIndex(), hlen);
        if (hd) {
            head.writeIntLE(Crc32c.of(crc, header, header.readerIndex(), hlen));
        }
        head.writeZero(pad);
        wire.addComponent(true, head);
        if (dataBytes > 0) {
            wire.addComponent(true, data.retain());
            if (dd) {
                ByteBuf digest = ctx.alloc().buffer(PduType.DIGEST_BYTES);
                digest.writeIntLE(Crc32c.of(crc, data, data.readerIndex(), dataBytes));
                wire.addComponent(true, digest);
            }
        }
        out.add(wire);
    }
}
