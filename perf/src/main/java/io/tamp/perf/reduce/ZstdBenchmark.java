package io.tamp.perf.reduce;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import io.tamp.perf.BenchmarkBase;
import io.tamp.perf.data.BlockCycle;
import io.tamp.perf.data.BlockGenerator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * zstd on one 4 KiB block with per-thread contexts: compress at the given level into a reused
 * buffer, and decompress blocks compressed at that level in set-up.
 */
public class ZstdBenchmark extends BenchmarkBase {
    private static final int BLOCK = BlockGenerator.BLOCK_BYTES;

    @Param({"1.0", "2.0", "4.0"})
    public String compressionRatio;

    @Param({"1", "3"})
    public int level;

    private BlockCycle blocks;
    private ZstdCompressCtx compressCtx;
    private ZstdDecompressCtx decompressCtx;
    private byte[] compressed;
    private final byte[] decompressed = new byte[BLOCK];
    private CompressedBlocks compressedBlocks;

    @Setup
    public void setUp() {
        blocks = BlockCycle.unique(Double.parseDouble(compressionRatio));
        compressCtx = new ZstdCompressCtx().setLevel(level);
        decompressCtx = new ZstdDecompressCtx();
        compressed = new byte[(int) Zstd.compressBound(BLOCK)];
        compressedBlocks = CompressedBlocks.of(blocks, compressed.length,
                (src, srcOffset, dst, dstOffset) -> compressCtx.compressByteArray(dst, dstOffset, compressed.length, src, srcOffset, BLOCK));
    }

    @TearDown
    public void tearDown() {
        compressCtx.close();
        decompressCtx.close();
    }

    @Benchmark
    public int compress() {
        return compressCtx.compressByteArray(compressed, 0, compressed.length, blocks.data(), blocks.nextOffset(), BLOCK);
    }

    @Benchmark
    public byte[] decompress() {
        int block = compressedBlocks.nextBlock();
        decompressCtx.decompressByteArray(decompressed, 0, BLOCK,
                compressedBlocks.data(), compressedBlocks.offset(block), compressedBlocks.length(block));
        return decompressed;
    }
}
