package io.tamp.perf.volume;

import io.tamp.perf.data.BlockCycle;

/**
 * Fills write buffers from a {@link BlockCycle}, stamping every block with the number of times the
 * cycle has come round: inside one round the generator's duplicates stay duplicates, across rounds
 * nothing repeats, so a long run keeps the chosen dedup ratio instead of deduplicating everything.
 */
final class StampedBlocks {
    static final int BLOCK = 4096;

    private final BlockCycle cycle;
    private long round;
    private int block;

    StampedBlocks(long seed, double compressionRatio, double dedupRatio) {
        cycle = new BlockCycle(seed, BlockCycle.DEFAULT_BLOCKS, compressionRatio, dedupRatio);
    }

    void fill(byte[] buf, int blocks) {
        byte[] src = cycle.data();
        for (int i = 0; i < blocks; i++) {
            int off = i * BLOCK;
            System.arraycopy(src, block * BLOCK, buf, off, BLOCK);
            long r = round;
            for (int k = 0; k < 8; k++) {
                buf[off + k] ^= (byte) (r >>> (8 * k));
            }
            if (++block == cycle.blocks()) {
                block = 0;
                round++;
            }
        }
    }
}
