package io.tamp.datapath.pool;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * Flyweight over the 4096-byte superblock at the start of every pool device. Little endian.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |            Magic "TAMPPOOL" (8 bytes, ASCII)                  |   0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                       Format Version                          |   8
 *  +---------------------------------------------------------------+
 *  |              Pool UUID (16 bytes: msb long, lsb long)         |  12
 *  |                                                               |
 *  |                                                               |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        Device Index                           |  28
 *  +---------------------------------------------------------------+
 *  |                        Device Count                           |  32
 *  +---------------------------------------------------------------+
 *  |                       Segment Bytes                           |  36
 *  +---------------------------------------------------------------+
 *  |                  Device Bytes (long)                          |  40
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |              Created-At Epoch Millis (long)                   |  48
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Reserved, zero (4036 bytes)                  ...  56
 * ...                                                              |
 *  +---------------------------------------------------------------+
 *  |              CRC32C of bytes [0, 4092)                        | 4092
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>The flyweight reads and writes the wrapped buffer in place; it allocates only on
 * {@link #wrap}. It is not thread-safe.
 */
public final class Superblock {
    public static final int SIZE_BYTES = 4096;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 8;
    public static final int POOL_UUID_OFFSET = 12;
    public static final int DEVICE_INDEX_OFFSET = 28;
    public static final int DEVICE_COUNT_OFFSET = 32;
    public static final int SEGMENT_BYTES_OFFSET = 36;
    public static final int DEVICE_BYTES_OFFSET = 40;
    public static final int CREATED_AT_MS_OFFSET = 48;
    public static final int RESERVED_OFFSET = 56;
    public static final int CRC_OFFSET = SIZE_BYTES - Integer.BYTES;
    public static final int RESERVED_BYTES = CRC_OFFSET - RESERVED_OFFSET;

    public static final int MAGIC_BYTES = 8;
    public static final int CURRENT_VERSION = 1;
    private static final byte[] MAGIC = "TAMPPOOL".getBytes(StandardCharsets.US_ASCII);

    private ByteBuffer buffer;

    /**
     * Wraps the {@link #SIZE_BYTES} bytes starting at {@code buffer.position()}. The given
     * buffer's position, limit and byte order are left untouched.
     */
    public Superblock wrap(ByteBuffer buffer) {
        if (buffer.remaining() < SIZE_BYTES) {
            throw new IllegalArgumentException("superblock needs " + SIZE_BYTES + " bytes, buffer has "
                    + buffer.remaining());
        }
        this.buffer = buffer.slice(buffer.position(), SIZE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        return this;
    }

    /** Zeroes all fields, including the reserved bytes and the CRC. */
    public Superblock clear() {
        for (int i = 0; i < SIZE_BYTES; i += Long.BYTES) {
            buffer.putLong(i, 0L);
        }
        return this;
    }

    public boolean magicMatches() {
        for (int i = 0; i < MAGIC_BYTES; i++) {
            if (buffer.get(MAGIC_OFFSET + i) != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    public Superblock putMagic() {
        buffer.put(MAGIC_OFFSET, MAGIC);
        return this;
    }

    public int version() {
        return buffer.getInt(VERSION_OFFSET);
    }

    public Superblock version(int version) {
        buffer.putInt(VERSION_OFFSET, version);
        return this;
    }

    public UUID poolUuid() {
        return new UUID(buffer.getLong(POOL_UUID_OFFSET), buffer.getLong(POOL_UUID_OFFSET + Long.BYTES));
    }

    public Superblock poolUuid(UUID uuid) {
        buffer.putLong(POOL_UUID_OFFSET, uuid.getMostSignificantBits());
        buffer.putLong(POOL_UUID_OFFSET + Long.BYTES, uuid.getLeastSignificantBits());
        return this;
    }

    public int deviceIndex() {
        return buffer.getInt(DEVICE_INDEX_OFFSET);
    }

    public Superblock deviceIndex(int deviceIndex) {
        buffer.putInt(DEVICE_INDEX_OFFSET, deviceIndex);
        return this;
    }

    public int deviceCount() {
        return buffer.getInt(DEVICE_COUNT_OFFSET);
    }

    public Superblock deviceCount(int deviceCount) {
        buffer.putInt(DEVICE_COUNT_OFFSET, deviceCount);
        return this;
    }

    public int segmentBytes() {
        return buffer.getInt(SEGMENT_BYTES_OFFSET);
    }

    public Superblock segmentBytes(int segmentBytes) {
        buffer.putInt(SEGMENT_BYTES_OFFSET, segmentBytes);
        return this;
    }

    public long deviceBytes() {
        return buffer.getLong(DEVICE_BYTES_OFFSET);
    }

    public Superblock deviceBytes(long deviceBytes) {
        buffer.putLong(DEVICE_BYTES_OFFSET, deviceBytes);
        return this;
    }

    public long createdAtMs() {
        return buffer.getLong(CREATED_AT_MS_OFFSET);
    }

    public Superblock createdAtMs(long createdAtMs) {
        buffer.putLong(CREATED_AT_MS_OFFSET, createdAtMs);
        return this;
    }

    public int storedCrc() {
        return buffer.getInt(CRC_OFFSET);
    }

    /** CRC32C over every byte before the CRC field. */
    public int computeCrc() {
        CRC32C crc = new CRC32C();
        crc.update(buffer.slice(0, CRC_OFFSET));
        return (int) crc.getValue();
    }

    public boolean crcMatches() {
        return storedCrc() == computeCrc();
    }

    /** Stores {@link #computeCrc()}; call after the last field is set. */
    public Superblock sealCrc() {
        buffer.putInt(CRC_OFFSET, computeCrc());
        return this;
    }
}
