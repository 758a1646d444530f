package io.tamp.perf.reduce;

import io.tamp.perf.BenchmarkBase;
import io.tamp.perf.data.BlockCycle;
import io.tamp.perf.data.BlockGenerator;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Baseline of the write path: the per-block kernels alone, back to back, on one thread —
 * SHA-256 fingerprint, LZ4 compress, CRC32C over the compressed bytes. No queues, no
 * metadata, no I/O. The engine's write path is measured against {@link #kernelsAlone} and must
 * reach 70% of it per core.
 */
public class KernelsBenchmark extends BenchmarkBase {
    private static final int BLOCK = BlockGenerator.BLOCK_BYTES;
    private static final int SHA256_BYTES = 32;

    @Param({"1.0", "2.0", "4.0"})
    public String compressionRatio;

    private BlockCycle blocks;
    private MessageDigest sha256;
    private LZ4Compressor lz4;
    private final CRC32C crc = new CRC32C();
    private final byte[] fingerprint = new byte[SHA256_BYTES];
    private byte[] compressed;

    @Setup
    public void setUp() throws NoSuchAlgorithmException {
        blocks = BlockCycle.unique(Double.parseDouble(compressionRatio));
        sha256 = MessageDigest.getInstance("SHA-256");
        lz4 = LZ4Factory.fastestInstance().fastCompressor();
        compressed = new byte[lz4.maxCompressedLength(BLOCK)];
    }

    @Benchmark
    public void kernelsAlone(Blackhole bh) throws DigestException {
        byte[] data = blocks.data();
        int offset = blocks.nextOffset();
        sha256.update(data, offset, BLOCK);
        sha256.digest(fingerprint, 0, SHA256_BYTES);
        int compressedBytes = lz4.compress(data, offset, BLOCK, compressed, 0, compressed.length);
        crc.reset();
        crc.update(compressed, 0, compressedBytes);
        bh.consume(fingerprint);
        bh.consume(crc.getValue());
    }
}
