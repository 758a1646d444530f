package io.tamp.perf.metadata;

import io.tamp.metadata.store.Batch;
import io.tamp.metadata.store.Keys;
import io.tamp.metadata.store.MetadataStore;
import io.tamp.perf.BenchmarkBase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Block-map updates in RocksDB as the engine commits them: one WriteBatch of 256 entries per
 * commit, random LBAs over a 16 GiB volume, plus the refcount merge each new mapping brings.
 */
@State(Scope.Benchmark)
public class BlockMapBenchmark extends BenchmarkBase {
    Path dir;
    MetadataStore store;
    final SplittableRandom random = new SplittableRandom(3);
    final byte[] value = new byte[16];
    long extent = 1;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("tamp-bm");
        store = MetadataStore.open(dir, () -> { });
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        store.close();
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    @OperationsPerInvocation(256)
    public void updateBatchOf256() {
        try (Batch b = store.newBatch()) {
            for (int i = 0; i < 256; i++) {
                long lba = random.nextLong(4L << 20);
                Keys.putLong(value, 0, extent);
                b.put(MetadataStore.Map.BLOCKMAP, Keys.blockKey(1, lba), value.clone());
                b.add(MetadataStore.Map.REFCOUNTS, Keys.u64(extent++), 1);
            }
            store.commit(b);
        }
    }
}
