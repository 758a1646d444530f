package io.tamp.perf.reduce;

import io.tamp.perf.BenchmarkBase;
import io.tamp.perf.data.BlockCycle;
import io.tamp.perf.data.BlockGenerator;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;

/** SHA-256 dedup fingerprint of one 4 KiB block; the digest is reused per thread. */
public class Sha256Benchmark extends BenchmarkBase {
    private static final int SHA256_BYTES = 32;

    @Param({"1.0", "2.0", "4.0"})
    public String compressionRatio;

    private BlockCycle blocks;
    private MessageDigest sha256;
    private final byte[] fingerprint = new byte[SHA256_BYTES];

    @Setup
    public void setUp() throws NoSuchAlgorithmException {
        blocks = BlockCycle.unique(Double.parseDouble(compressionRatio));
        sha256 = MessageDigest.getInstance("SHA-256");
    }

    @Benchmark
    public void sha256(Blackhole bh) throws DigestException {
        sha256.update(blocks.data(), blocks.nextOffset(), BlockGenerator.BLOCK_BYTES);
        sha256.digest(fingerprint, 0, SHA256_BYTES);
        bh.consume(fingerprint);
    }
}
