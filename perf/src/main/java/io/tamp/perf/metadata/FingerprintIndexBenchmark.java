package io.tamp.perf.metadata;

import io.tamp.metadata.fingerprint.ChronicleFingerprintIndex;
import io.tamp.perf.BenchmarkBase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** Chronicle Map fingerprint index holding 1M entries: lookup hit, lookup miss, insert + remove. */
@State(Scope.Benchmark)
public class FingerprintIndexBenchmark extends BenchmarkBase {
    static final int ENTRIES = 1_000_000;

    Path dir;
    ChronicleFingerprintIndex index;
    byte[] present;
    byte[] absent;
    int next;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("tamp-fp");
        index = ChronicleFingerprintIndex.open(dir.resolve("fp.cm"), 2L * ENTRIES);
        SplittableRandom r = new SplittableRandom(7);
        present = new byte[ENTRIES * 32];
        absent = new byte[ENTRIES * 32];
        r.nextBytes(present);
        r.nextBytes(absent);
        for (int i = 0; i < ENTRIES; i++) {
            index.put(present, i * 32, i + 1);
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        index.close();
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private int nextSlot() {
        next = next + 1 == ENTRIES ? 0 : next + 1;
        return next * 32;
    }

    @Benchmark
    public long lookupHit() {
        return index.get(present, nextSlot());
    }

    @Benchmark
    public long lookupMiss() {
        return index.get(absent, nextSlot());
    }

    @Benchmark
    public boolean insertRemove() {
        int slot = nextSlot();
        index.put(absent, slot, 99);
        return index.remove(absent, slot, 99);
    }
}
