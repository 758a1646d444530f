package io.tamp.datapath.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PoolLayoutTest {
    @Test
    void stripesSegmentsAcrossDevices() {
        PoolLayout layout = new PoolLayout(1 << 20, Pool.DATA_START_BYTES + 10L * (1 << 20) + 12345, 3);
        assertEquals(10, layout.segmentsPerDevice());
        assertEquals(30, layout.segmentCount());
        assertEquals(2, layout.deviceOf(29));
        assertEquals(Pool.DATA_START_BYTES + 9L * (1 << 20) + 4096, layout.deviceOffsetBytes(29, 4096));
        assertEquals(0, layout.deviceOf(3));
        assertEquals(Pool.DATA_START_BYTES + (1 << 20), layout.deviceOffsetBytes(3, 0));
    }

    @Test
    void offsetsPastTwoGibibytesDoNotOverflow() {
        PoolLayout layout = new PoolLayout(1 << 30, Pool.DATA_START_BYTES + 8L * (1 << 30), 1);
        assertEquals(Pool.DATA_START_BYTES + 7L * (1 << 30), layout.deviceOffsetBytes(7, 0));
    }

    @Test
    void rejectsBadSegmentSizesAndTooSmallDevices() {
        long big = 1L << 40;
        assertThrows(IllegalArgumentException.class, () -> new PoolLayout(32 << 10, big, 1));
        assertThrows(IllegalArgumentException.class, () -> new PoolLayout((64 << 10) + 4096, big, 1));
        assertThrows(IllegalArgumentException.class, () -> new PoolLayout(Integer.MIN_VALUE, big, 1));
        assertThrows(IllegalArgumentException.class, () -> new PoolLayout(0, big, 1));
        assertThrows(IllegalArgumentException.class, () -> new PoolLayout(64 << 10, big, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new PoolLayout(64 << 10, Pool.DATA_START_BYTES + (64 << 10) - 1, 1));
        assertEquals(1, new PoolLayout(64 << 10, Pool.DATA_START_BYTES + (64 << 10), 1).segmentCount());
        assertEquals(1, new PoolLayout(1 << 30, Pool.DATA_START_BYTES + (1 << 30), 1).segmentCount());
    }

    @Test
    void rejectsMoreSegmentsThanAnIntCounts() {
        assertThrows(IllegalArgumentException.class,
                () -> new PoolLayout(64 << 10, Pool.DATA_START_BYTES + (1L << 47), 1));
    }
}
