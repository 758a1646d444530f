package io.tamp.datapath.nvmetcp;

import io.tamp.datapath.frontend.InlineReads;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.tamp.datapath.frontend.Crc32c;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Frames the host's byte stream into {@link NvmeTcpPdu}s. Checks, before buffering a PDU's
 * body: a known host-to-controller type, the HLEN that type requires, PLEN within what the
 * type may carry (in-capsule data up to the advertised capsule size, H2CData up to
 * MAXH2CDATA), PDO not inside the header, and the digest flags matching what ICReq/ICResp
 * settled. Then checks the header digest and the data digest.
 *
 * <p>Emits {@link NvmeTcpPdu}s, {@link NvmeTcpDecodeError}s (fatal: after one the decoder
 * discards everything) and {@link DataDigestError}s (not fatal: the command it belonged to
 * fails, the stream goes on). Never throws for bad input. One PDU per decode call, so a
 * setting changed while the next handler processes PDU n applies from PDU n+1 (digests are
 * switched on once ICResp is sent).
 */
public final class NvmeTcpDecoder extends InlineReads.Decoder {
    /** A PDU whose data digest did not match: its header, for the command it belongs to. */
    public record DataDigestError(PduType type, ByteBuf header) {
    }

    private final CRC32C crc = new CRC32C();
    private boolean headerDigest;
    private boolean dataDigest;
    private int maxInCapsuleData;
    private int maxH2CData;
    private boolean failed;

    /**
     * @param maxInCapsuleData the most data a command capsule may carry (IOCCSZ × 16 − 64)
     * @param maxH2CData       MAXH2CDATA as the controller advertises it
     */
    public NvmeTcpDecoder(int maxInCapsuleData, int maxH2CData) {
        this.maxInCapsuleData = maxInCapsuleData;
        this.maxH2CData = maxH2CData;
    }

    public void setDigests(boolean header, boolean data) {
        this.headerDigest = header;
        this.dataDigest = data;
    }

    /** Admin queues carry at most 8 KiB in a capsule, I/O queues what IOCCSZ says; set at Connect. */
    public void setMaxInCapsuleData(int bytes) {
        this.maxInCapsuleData = bytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < PduType.COMMON_HEADER_BYTES) {
            return;
        }
        int start = in.readerIndex();
        int code = in.getUnsignedByte(start);
        int flags = in.getUnsignedByte(start + 1);
        int hlen = in.getUnsignedByte(start + 2);
        int pdo = in.getUnsignedByte(start + 3);
        long plen = in.getUnsignedIntLE(start + 4);
        PduType type = PduType.of(code);
        if (type == null || !type.fromHost) {
            fail(out, in, NvmeTcpDecodeError.INVALID_HEADER_FIELD, 0, "PDU type " + code);
            return;
        }
        if (hlen != type.headerLength) {
            fail(out, in, NvmeTcpDecodeError.INVALID_HEADER_FIELD, 2, "HLEN " + hlen + " for " + type);
            return;
        }
        boolean hd = headerDigest && type.digested();
        boolean dd = dataDigest && type.carriesData() && type != PduType.H2C_TERM_REQ;
        int headerBytes = hlen + (hd ? PduType.DIGEST_BYTES : 0);
        if (((flags & PduType.FLAG_HDGSTF) != 0) != hd) {
            fail(out, in, NvmeTcpDecodeError.INVALID_HEADER_FIELD, 1, "HDGSTF " + ((flags & 1) != 0) + ", negotiated " + hd);
            return;
        }
        long maxData = switch (type) {
            case CAPSULE_CMD -> maxInCapsuleData;
            case H2C_DATA -> maxH2CData;
            case H2C_TERM_REQ -> NvmeTcpDecodeError.MAX_ECHOED_HEADER;
            default -> 0;
        };
        boolean hasData = plen > headerBytes;
        if (!hasData) {
            if (plen != headerBytes || (flags & PduType.FLAG_DDGSTF) != 0) {
                fail(out, in, NvmeTcpDecodeError.INVALID_HEADER_FIELD, 4, "PLEN " + plen + " for a " + type
                        + " without data");
                return;
            }
        } else {
            if (!type.carriesData() || pdo < headerBytes || pdo > plen) {
                fail(out, in, NvmeTcpDecodeError.INVALID_HEADER_FIELD, 3, "PDO " + pdo + " in a " + type
                        + " of PLEN " + plen);
                return;
            }
            boolean ddFlag = (flags & PduType.FLAG_DDGSTF) != 0;
            if (ddFlag != dd) {
                fail(out, in, NvmeTcpDecodeError.INVALID_HEADER_FIELD, 1, "DDGSTF " + ddFlag + ", negotiated " + dd);
                return;
            }
            long dataBytes = plen - pdo - (dd ? PduType.DIGEST_BYTES : 0);
            if (dataBytes <= 0 || dataBytes > maxData) {
                int fes = type == PduType.H2C_DATA ? NvmeTcpDecodeError.DATA_TRANSFER_LIMIT_EXCEEDED
                        : NvmeTcpDecodeError.INVALID_HEADER_FIELD;
                fail(out, in, fes, 4, dataBytes + " data bytes in a " + type + " (limit " + maxData + ")");
                return;
            }
        }
        if (in.readableBytes() < plen) {
            return; // the whole PDU is bounded above: wait for it
        }
        if (hd) {
            int expected = in.getIntLE(start + hlen);
            if (expected != crc(in, start, hlen)) {
                fail(out, in, NvmeTcpDecodeError.HEADER_DIGEST_ERROR, 0, "header digest of a " + type);
                return;
            }
        }
        ByteBuf header = in.retainedSlice(start, hlen);
        ByteBuf data = null;
        boolean dataDigestOk = true;
        if (hasData) {
            int dataBytes = (int) (plen - pdo - (dd ? PduType.DIGEST_BYTES : 0));
            if (dd) {
                int expected = in.getIntLE(start + pdo + dataBytes);
                dataDigestOk = expected == crc(in, start + pdo, dataBytes);
            }
            if (dataDigestOk) {
                data = in.retainedSlice(start + pdo, dataBytes);
            }
        }
        in.skipBytes((int) plen);
        if (!dataDigestOk) {
            out.add(new DataDigestError(type, header));
            return;
        }
        out.add(new NvmeTcpPdu(type, header, data));
    }

    private int crc(ByteBuf buf, int index, int length) {
        return Crc32c.of(crc, buf, index, length);
    }

    private void fail(List<Object> out, ByteBuf in, int fes, long fei, String reason) {
        int n = Math.min(Math.min(in.readableBytes(), NvmeTcpDecodeError.MAX_ECHOED_HEADER),
                Math.max(PduType.COMMON_HEADER_BYTES, in.getUnsignedByte(in.readerIndex() + 2)));
        byte[] header = new byte[n];
        in.getBytes(in.readerIndex(), header);
        failed = true;
        in.skipBytes(in.readableBytes());
        out.add(new NvmeTcpDecodeError(fes, fei, header, reason));
    }
}
