package io.tamp.perf.volume;

import io.tamp.datapath.volume.IoStatus;
import io.tamp.datapath.volume.Volume;
import io.tamp.perf.BenchmarkBase;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
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
 * The engine read path on 256 MiB of prefilled data: block-map lookup, extent lookup, aligned
 * O_DIRECT read, CRC32C check, LZ4 decompress. Random 4 KiB reads and sequential 1 MiB reads, in
 * blocks/s.
 */
public class EngineReadBenchmark extends BenchmarkBase {
    static final int FILL_BLOCKS = 65536;

    @State(Scope.Benchmark)
    public static class Shared {
        @Param({"2.0"})
        public String compressionRatio;

        EngineFixture fixture;
        Volume volume;

        @Setup(Level.Trial)
        public void open() throws IOException {
            fixture = new EngineFixture(false);
            volume = fixture.engine.createVolume("r", (long) FILL_BLOCKS * StampedBlocks.BLOCK);
            StampedBlocks blocks = new StampedBlocks(0xfeed, Double.parseDouble(compressionRatio), 1.0);
            byte[] buf = new byte[256 * StampedBlocks.BLOCK];
            for (long off = 0; off < volume.sizeBytes(); off += buf.length) {
                blocks.fill(buf, 256);
                if (!volume.write(off, buf, false).ok()) {
                    throw new IllegalStateException("prefill failed");
                }
            }
            fixture.engine.flush();
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            fixture.close();
        }
    }

    @State(Scope.Thread)
    public static class Reader {
        final ByteBuffer block = ByteBuffer.allocate(StampedBlocks.BLOCK);
        final ByteBuffer chunk = ByteBuffer.allocate(256 * StampedBlocks.BLOCK);
        final SplittableRandom random = new SplittableRandom(42);
        long next;
    }

    @Benchmark
    @Threads(1)
    public ByteBuffer randomRead4k(Shared s, Reader r) {
        long lba = r.random.nextInt(FILL_BLOCKS);
        check(s.volume.read(lba * StampedBlocks.BLOCK, r.block.clear()));
        return r.block;
    }

    @Benchmark
    @Threads(2)
    public ByteBuffer randomRead4kThreadPerCore(Shared s, Reader r) {
        return randomRead4k(s, r);
    }

    @Benchmark
    @Threads(1)
    @OperationsPerInvocation(256)
    public ByteBuffer sequentialRead1m(Shared s, Reader r) {
        check(s.volume.read(r.next, r.chunk.clear()));
        r.next = (r.next + r.chunk.capacity()) % s.volume.sizeBytes();
        return r.chunk;
    }

    private static void check(IoStatus st) {
        if (!st.ok()) {
            throw new IllegalStateException("read failed: " + st);
        }
    }
}
