package io.tamp.perf.reduce;

import io.tamp.perf.data.BlockCycle;
import io.tamp.perf.data.BlockGenerator;

/**
 * The blocks of a {@link BlockCycle}, compressed once in set-up and packed into one array, so
 * decompression benchmarks cycle through them without allocating.
 */
final class CompressedBlocks {
    /** Compresses the 4 KiB block at {@code srcOffset} to {@code dstOffset}; returns its length. */
    @FunctionalInterface
    interface Codec {
        int compress(byte[] src, int srcOffset, byte[] dst, int dstOffset);
    }

    private final byte[] data;
    private final int[] offsets;
    private final int[] lengths;
    private int nextBlock;

    private CompressedBlocks(byte[] data, int[] offsets, int[] lengths) {
        this.data = data;
        this.offsets = offsets;
        this.lengths = lengths;
    }

    static CompressedBlocks of(BlockCycle blocks, int maxCompressedBytes, Codec codec) {
        int count = blocks.blocks();
        byte[] scratch = new byte[Math.multiplyExact(count, maxCompressedBytes)];
        int[] offsets = new int[count];
        int[] lengths = new int[count];
        int end = 0;
        for (int i = 0; i < count; i++) {
            offsets[i] = end;
            lengths[i] = codec.compress(blocks.data(), i * BlockGenerator.BLOCK_BYTES, scratch, end);
            end += lengths[i];
        }
        byte[] packed = new byte[end];
        System.arraycopy(scratch, 0, packed, 0, end);
        return new CompressedBlocks(packed, offsets, lengths);
    }

    byte[] data() {
        return data;
    }

    int offset(int block) {
        return offsets[block];
    }

    int length(int block) {
        return lengths[block];
    }

    /** Index of the next compressed block, cycling through all of them. */
    int nextBlock() {
        int block = nextBlock;
        nextBlock = block + 1 == offsets.length ? 0 : block + 1;
        return block;
    }
}
