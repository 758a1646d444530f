package io.tamp.datapath.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SuperblockTest {
    private static final UUID POOL_UUID = UUID.fromString("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");

    private static Superblock sample(ByteBuffer buffer) {
        return new Superblock().wrap(buffer).clear().putMagic().version(Superblock.CURRENT_VERSION)
                .poolUuid(POOL_UUID).deviceIndex(2).deviceCount(3).segmentBytes(1 << 20)
                .deviceBytes(5_000_000_000L).createdAtMs(1_764_288_000_123L).sealCrc();
    }

    @Test
    void layoutIs4096BytesWithCrcLastAndFieldsInOrder() {
        assertEquals(4096, Superblock.SIZE_BYTES);
        assertEquals(4092, Superblock.CRC_OFFSET);
        int[] offsets = {Superblock.MAGIC_OFFSET, Superblock.VERSION_OFFSET, Superblock.POOL_UUID_OFFSET,
            Superblock.DEVICE_INDEX_OFFSET, Superblock.DEVICE_COUNT_OFFSET, Superblock.SEGMENT_BYTES_OFFSET,
            Superblock.DEVICE_BYTES_OFFSET, Superblock.CREATED_AT_MS_OFFSET, Superblock.RESERVED_OFFSET,
            Superblock.CRC_OFFSET, Superblock.SIZE_BYTES};
        int[] widths = {8, 4, 16, 4, 4, 4, 8, 8, Superblock.RESERVED_BYTES, 4};
        for (int i = 0; i < widths.length; i++) {
            assertEquals(offsets[i + 1], offsets[i] + widths[i], "field " + i + " must end where the next begins");
        }
    }

    @Test
    void fieldsRoundTripThroughBytesInLittleEndian() {
        ByteBuffer buffer = ByteBuffer.allocate(Superblock.SIZE_BYTES);
        sample(buffer);
        byte[] copy = buffer.array().clone();

        Superblock read = new Superblock().wrap(ByteBuffer.wrap(copy));
        assertTrue(read.magicMatches());
        assertEquals(Superblock.CURRENT_VERSION, read.version());
        assertEquals(POOL_UUID, read.poolUuid());
        assertEquals(2, read.deviceIndex());
        assertEquals(3, read.deviceCount());
        assertEquals(1 << 20, read.segmentBytes());
        assertEquals(5_000_000_000L, read.deviceBytes());
        assertEquals(1_764_288_000_123L, read.createdAtMs());
        assertTrue(read.crcMatches());

        assertEquals("TAMPPOOL", new String(copy, 0, 8, StandardCharsets.US_ASCII));
        ByteBuffer le = ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(5_000_000_000L, le.getLong(Superblock.DEVICE_BYTES_OFFSET));
        assertEquals(1 << 20, le.getInt(Superblock.SEGMENT_BYTES_OFFSET));
        assertEquals(read.computeCrc(), le.getInt(Superblock.CRC_OFFSET));
        byte[] reserved = Arrays.copyOfRange(copy, Superblock.RESERVED_OFFSET, Superblock.CRC_OFFSET);
        assertTrue(Arrays.equals(new byte[Superblock.RESERVED_BYTES], reserved), "reserved bytes are zero");
    }

    @Test
    void wrapsAtBufferPositionWithoutDisturbingTheBuffer() {
        ByteBuffer big = ByteBuffer.allocate(3 * Superblock.SIZE_BYTES).position(Superblock.SIZE_BYTES);
        sample(big);
        assertEquals(Superblock.SIZE_BYTES, big.position());
        assertEquals(ByteOrder.BIG_ENDIAN, big.order());
        assertEquals(0, big.get(0), "bytes before the wrapped region are untouched");
        assertEquals('T', big.get(Superblock.SIZE_BYTES));
    }

    @Test
    void everySingleByteFlipIsDetected() {
        ByteBuffer buffer = ByteBuffer.allocate(Superblock.SIZE_BYTES);
        sample(buffer);
        Superblock superblock = new Superblock().wrap(buffer);
        for (int offset = 0; offset < Superblock.SIZE_BYTES; offset++) {
            byte original = buffer.get(offset);
            buffer.put(offset, (byte) (original ^ 0x01));
            assertFalse(superblock.crcMatches(), "flip at offset " + offset + " went unnoticed");
            buffer.put(offset, original);
        }
        assertTrue(superblock.crcMatches());
    }
}
