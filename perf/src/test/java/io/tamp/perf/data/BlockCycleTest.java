package io.tamp.perf.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BlockCycleTest {
    @Test
    void cyclesThroughEveryBlockInOrder() {
        BlockCycle cycle = new BlockCycle(11, 3, 2.0, 1.0);
        assertEquals(3, cycle.blocks());
        assertEquals(3 * BlockGenerator.BLOCK_BYTES, cycle.data().length);
        int[] offsets = new int[7];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = cycle.nextOffset();
        }
        assertArrayEquals(new int[] {0, 4096, 8192, 0, 4096, 8192, 0}, offsets);
    }

    @Test
    void holdsTheGeneratorsBlocks() {
        assertArrayEquals(BlockGenerator.generate(11, 3, 2.0, 1.0), new BlockCycle(11, 3, 2.0, 1.0).data());
    }

    @Test
    void rejectsEmptyCycle() {
        assertThrows(IllegalArgumentException.class, () -> new BlockCycle(11, 0, 2.0, 1.0));
    }
}
