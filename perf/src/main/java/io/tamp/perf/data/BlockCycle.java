package io.tamp.perf.data;

/**
 * A pre-generated run of 4 KiB blocks in one flat array, handed out round-robin so that a
 * benchmark touches a fresh block on every invocation without allocating.
 */
public final class BlockCycle {
    /** Blocks generated for a benchmark: 16 MiB, larger than the last-level cache here. */
    public static final int DEFAULT_BLOCKS = 4096;
    /** Seed shared by all suites so their inputs are the same bytes. */
    public static final long DEFAULT_SEED = 0x7a3b_0001L;

    private final byte[] data;
    private final int blocks;
    private int nextBlock;

    /** {@code blocks} blocks of {@link BlockGenerator} with the given ratios. */
    public BlockCycle(long seed, int blocks, double compressionRatio, double dedupRatio) {
        if (blocks <= 0) {
            throw new IllegalArgumentException("blocks must be positive: " + blocks);
        }
        this.data = BlockGenerator.generate(seed, blocks, compressionRatio, dedupRatio);
        this.blocks = blocks;
    }

    /** {@link #DEFAULT_BLOCKS} unique blocks of the given LZ4 ratio, from {@link #DEFAULT_SEED}. */
    public static BlockCycle unique(double compressionRatio) {
        return new BlockCycle(DEFAULT_SEED, DEFAULT_BLOCKS, compressionRatio, 1.0);
    }

    /** All blocks, back to back; block {@code i} starts at {@code i * 4096}. */
    public byte[] data() {
        return data;
    }

    /** Number of blocks in {@link #data()}. */
    public int blocks() {
        return blocks;
    }

    /** Offset in {@link #data()} of the next block, cycling through all of them. */
    public int nextOffset() {
        int block = nextBlock;
        nextBlock = block + 1 == blocks ? 0 : block + 1;
        return block * BlockGenerator.BLOCK_BYTES;
    }
}
