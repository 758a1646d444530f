package io.tamp.datapath.iscsi;

import io.netty.buffer.ByteBuf;
import io.tamp.datapath.frontend.Crc32c;
import java.util.zip.CRC32C;

/**
 * CRC32C header and data digests (RFC 7143 §13.1, examples in Appendix A.4).
 *
 * <p>Byte order: the RFC's examples print the digest of 32 zero bytes as the wire bytes
 * {@code aa 36 91 8a}, while the CRC-32C value of those bytes (the number
 * {@link CRC32C#getValue()} returns) is {@code 0x8a9136aa}. The digest therefore travels
 * least significant byte first, unlike every other iSCSI field; SPDK and libiscsi write it
 * the same way.
 *
 * <p>One instance per channel; not thread-safe. Reuses one {@link CRC32C}.
 */
final class IscsiDigest {
    static final int LENGTH = 4;

    private final CRC32C crc = new CRC32C();

    void reset() {
        crc.reset();
    }

    void update(ByteBuf buf, int index, int length) {
        Crc32c.update(crc, buf, index, length);
    }

    void update(ByteBuf readable) {
        update(readable, readable.readerIndex(), readable.readableBytes());
    }

    void updateZeros(int count) {
        for (int i = 0; i < count; i++) {
            crc.update(0);
        }
    }

    /** The digest value (the CRC-32C of everything since {@link #reset()}). */
    int value() {
        return (int) crc.getValue();
    }

    /** Reads a digest from the wire at {@code index} (little endian). */
    static int read(ByteBuf buf, int index) {
        return buf.getIntLE(index);
    }

    static void write(ByteBuf buf, int digest) {
        buf.writeIntLE(digest);
    }
}
