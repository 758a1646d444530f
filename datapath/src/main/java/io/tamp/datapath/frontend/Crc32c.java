package io.tamp.datapath.frontend;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/** CRC32C over a range of a {@link ByteBuf}, heap, direct or composite: the digests of iSCSI and NVMe/TCP. */
public final class Crc32c {
    private Crc32c() {
    }

    /** Adds {@code buf[index, index + length)} to {@code crc} without copying. */
    public static void update(CRC32C crc, ByteBuf buf, int index, int length) {
        if (length == 0) {
            return;
        }
        if (buf.hasArray()) {
            crc.update(buf.array(), buf.arrayOffset() + index, length);
        } else if (buf.nioBufferCount() == 1) {
            crc.update(buf.nioBuffer(index, length));
        } else {
            for (ByteBuffer b : buf.nioBuffers(index, length)) {
                crc.update(b);
            }
        }
    }

    /** The CRC32C of {@code buf[index, index + length)}, computed with {@code crc} (reset first). */
    public static int of(CRC32C crc, ByteBuf buf, int index, int length) {
        crc.reset();
        update(crc, buf, index, length);
        return (int) crc.getValue();
    }

    /** The same with a fresh CRC32C (tests and cold paths). */
    public static int of(ByteBuf buf, int index, int length) {
        return of(new CRC32C(), buf, index, length);
    }
}
