package io.tamp.perf.reduce;

import io.tamp.perf.BenchmarkBase;
import io.tamp.perf.data.BlockCycle;
import io.tamp.perf.data.BlockGenerator;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4FastDecompressor;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * LZ4 (fastest instance, JNI here) on one 4 KiB block: compress into a reused buffer, and
 * decompress blocks compressed in set-up, with the fast (length-trusting) and the safe
 * (bounds-checking) decompressor.
 */
public class Lz4Benchmark extends BenchmarkBase {
    private static final int BLOCK = BlockGenerator.BLOCK_BYTES;

    @Param({"1.0", "2.0", "4.0"})
    public String compressionRatio;

    private BlockCycle blocks;
    private LZ4Compressor compressor;
    private LZ4FastDecompressor fastDecompressor;
    private LZ4SafeDecompressor safeDecompressor;
    private byte[] compressed;
    private final byte[] decompressed = new byte[BLOCK];
    private CompressedBlocks compressedBlocks;

    @Setup
    @SuppressWarnings("deprecation") // fastDecompressor is deprecated upstream; measured for comparison
    public void setUp() {
        blocks = BlockCycle.unique(Double.parseDouble(compressionRatio));
        LZ4Factory factory = LZ4Factory.fastestInstance();
        compressor = factory.fastCompressor();
        fastDecompressor = factory.fastDecompressor();
        safeDecompressor = factory.safeDecompressor();
        compressed = new byte[compressor.maxCompressedLength(BLOCK)];
        compressedBlocks = CompressedBlocks.of(blocks, compressed.length,
                (src, srcOffset, dst, dstOffset) -> compressor.compress(src, srcOffset, BLOCK, dst, dstOffset, compressed.length));
    }

    @Benchmark
    public int compress() {
        return compressor.compress(blocks.data(), blocks.nextOffset(), BLOCK, compressed, 0, compressed.length);
    }

    @Benchmark
    @SuppressWarnings("deprecation")
    public byte[] decompressFast() {
        int block = compressedBlocks.nextBlock();
        fastDecompressor.decompress(compressedBlocks.data(), compressedBlocks.offset(block), decompressed, 0, BLOCK);
        return decompressed;
    }

    @Benchmark
    public byte[] decompressSafe() {
        int block = compressedBlocks.nextBlock();
        safeDecompressor.decompress(compressedBlocks.data(), compressedBlocks.offset(block), compressedBlocks.length(block),
                decompressed, 0, BLOCK);
        return decompressed;
    }
}
