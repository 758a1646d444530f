package io.tamp.datapath.iscsi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * Writes {@link IscsiPdu}s: BHS, AHS, header digest, data segment, padding, data digest,
 * with the digests currently switched on. TotalAHSLength and DataSegmentLength are taken
 * from the PDU's buffers, not from its BHS.
 *
 * <p>Large data segments are not copied: the output is a composite of a header buffer, a
 * retained slice of the data and a small trailer. Segments up to
 * {@link #COPY_THRESHOLD_BYTES} are copied into one buffer, which is cheaper.
 *
 * <p>Digests switch on for the first PDU encoded after the setter is called (from the
 * event loop): the final Login Response goes out without digests, so enable them after
 * writing it.
 */
public final class IscsiPduEncoder extends MessageToMessageEncoder<IscsiPdu> {
    public static final int COPY_THRESHOLD_BYTES = 1024;

    private final IscsiDigest digest = new IscsiDigest();
    private boolean headerDigest;
    private boolean dataDigest;
    private int maxSendDataSegmentLength = IscsiPduDecoder.DEFAULT_MAX_RECV_DATA_SEGMENT_LENGTH;

    public IscsiPduEncoder() {
        super(IscsiPdu.class);
    }

    public void setHeaderDigest(boolean enabled) {
        this.headerDigest = enabled;
    }

    public void setDataDigest(boolean enabled) {
        this.dataDigest = enabled;
    }

    /** The peer's declared MaxRecvDataSegmentLength; larger segments are a bug of ours. */
    public void setMaxSendDataSegmentLength(int bytes) {
        if (bytes < IscsiPduDecoder.MIN_MAX_RECV_DATA_SEGMENT_LENGTH
                || bytes > Bhs.MAX_DATA_SEGMENT_LENGTH) {
            throw new IllegalArgumentException("MaxSendDataSegmentLength " + bytes);
        }
        this.maxSendDataSegmentLength = bytes;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, IscsiPdu pdu, List<Object> out) {
        ByteBuf data = pdu.data();
        ByteBuf ahs = pdu.ahs();
        int dataBytes = data.readableBytes();
        int ahsBytes = ahs.readableBytes();
        if (dataBytes > maxSendDataSegmentLength) {
            throw new EncoderException(pdu + ": data segment exceeds the peer's"
                    + " MaxRecvDataSegmentLength " + maxSendDataSegmentLength);
        }
        int padBytes = -dataBytes & 3;
        boolean withDataDigest = dataDigest && dataBytes > 0;
        int headerBytes = Bhs.LENGTH + ahsBytes + (headerDigest ? IscsiDigest.LENGTH : 0);
        int trailerBytes = padBytes + (withDataDigest ? IscsiDigest.LENGTH : 0);
        boolean copyData = dataBytes <= COPY_THRESHOLD_BYTES;

        ByteBuf header = ctx.alloc().ioBuffer(
                headerBytes + (copyData ? dataBytes + trailerBytes : 0));
        writeHeader(header, pdu, ahsBytes, dataBytes);
        if (dataBytes == 0) {
            out.add(header);
            return;
        }
        if (copyData) {
            header.writeBytes(data, data.readerIndex(), dataBytes);
            writeTrailer(header, data, padBytes, withDataDigest);
            out.add(header);
            return;
        }
        CompositeByteBuf composite = ctx.alloc().compositeBuffer(3);
        composite.addComponent(true, header);
        composite.addComponent(true, data.retainedSlice());
        if (trailerBytes > 0) {
            ByteBuf trailer = ctx.alloc().ioBuffer(trailerBytes);
            writeTrailer(trailer, data, padBytes, withDataDigest);
            composite.addComponent(true, trailer);
        }
        out.add(composite);
    }

    private void writeHeader(ByteBuf header, IscsiPdu pdu, int ahsBytes, int dataBytes) {
        int start = header.writerIndex();
        ByteBuf bhs = pdu.bhsBuffer();
        header.writeBytes(bhs, bhs.readerIndex(), Bhs.LENGTH);
        header.setByte(start + Bhs.TOTAL_AHS_LENGTH_OFFSET, ahsBytes / 4);
        header.setMedium(start + Bhs.DATA_SEGMENT_LENGTH_OFFSET, dataBytes);
        header.writeBytes(pdu.ahs(), pdu.ahs().readerIndex(), ahsBytes);
        if (headerDigest) {
            digest.reset();
            digest.update(header, start, Bhs.LENGTH + ahsBytes);
            IscsiDigest.write(header, digest.value());
        }
    }

    private void writeTrailer(ByteBuf out, ByteBuf data, int padBytes, boolean withDataDigest) {
        out.writeZero(padBytes);
        if (withDataDigest) {
            digest.reset();
            digest.update(data);
            digest.updateZeros(padBytes);
            IscsiDigest.write(out, digest.value());
        }
    }
}
