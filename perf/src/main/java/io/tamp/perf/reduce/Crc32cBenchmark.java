package io.tamp.perf.reduce;

import io.tamp.perf.BenchmarkBase;
import io.tamp.perf.data.BlockCycle;
import io.tamp.perf.data.BlockGenerator;
import java.util.zip.CRC32C;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/** CRC32C of one 4 KiB block, the checksum stored with every segment record. */
public class Crc32cBenchmark extends BenchmarkBase {
    @Param({"1.0", "2.0", "4.0"})
    public String compressionRatio;

    private BlockCycle blocks;
    private final CRC32C crc = new CRC32C();

    @Setup
    public void setUp() {
        blocks = BlockCycle.unique(Double.parseDouble(compressionRatio));
    }

    @Benchmark
    public long crc32c() {
        crc.reset();
        crc.update(blocks.data(), blocks.nextOffset(), BlockGenerator.BLOCK_BYTES);
        return crc.getValue();
    }
}
