package io.tamp.perf.volume;

import io.tamp.datapath.volume.IoStatus;
import io.tamp.datapath.volume.Volume;
import io.tamp.perf.BenchmarkBase;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * The full engine write path — zero check, SHA-256, dedup lookup, LZ4, CRC32C, byte-granular
 * append, O_DIRECT segment writes, one RocksDB batch per 1 MiB — in blocks/s, to compare with
 * {@code KernelsBenchmark.kernelsAlone} (same data generator) in the same run. Each thread writes
 * 1 MiB sequential chunks to its own volume, wrapping over 16 GiB.
 */
public class EngineWriteBenchmark extends BenchmarkBase {
    static final int CHUNK_BLOCKS = 256;

    @State(Scope.Benchmark)
    public static class Shared {
        @Param({"1.0", "2.0"})
        public String compressionRatio;

        @Param({"1.0", "2.0"})
        public String dedupRatio;

        EngineFixture fixture;
        final AtomicInteger volumes = new AtomicInteger();

        @Setup(Level.Trial)
        public void open() throws IOException {
            fixture = new EngineFixture(true);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            fixture.close();
        }
    }

    @State(Scope.Thread)
    public static class Writer {
        Volume volume;
        StampedBlocks blocks;
        final byte[] buf = new byte[CHUNK_BLOCKS * StampedBlocks.BLOCK];
        long offset;

        @Setup(Level.Trial)
        public void setUp(Shared shared) {
            int n = shared.volumes.incrementAndGet();
            volume = shared.fixture.engine.createVolume("w" + n, 16L << 30);
            blocks = new StampedBlocks(0x5eed + n, Double.parseDouble(shared.compressionRatio),
                    Double.parseDouble(shared.dedupRatio));
        }

        void writeChunk() {
            blocks.fill(buf, CHUNK_BLOCKS);
            IoStatus s = volume.write(offset, ByteBuffer.wrap(buf), false);
            if (!s.ok()) {
                throw new IllegalStateException("write failed: " + s);
            }
            offset = (offset + buf.length) % volume.sizeBytes();
        }
    }

    @Benchmark
    @Threads(1)
    @OperationsPerInvocation(CHUNK_BLOCKS)
    public void writeOneThread(Writer w) {
        w.writeChunk();
    }

    @Benchmark
    @Threads(2)
    @OperationsPerInvocation(CHUNK_BLOCKS)
    public void writeThreadPerCore(Writer w) {
        w.writeChunk();
    }
}
