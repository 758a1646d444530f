package io.tamp.perf.volume;

import io.tamp.datapath.volume.Engine;
import io.tamp.datapath.volume.EngineConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** An engine on a fresh sparse pool in a temporary directory, deleted on close. */
final class EngineFixture implements AutoCloseable {
    final Path dir;
    final Engine engine;

    EngineFixture(boolean background) throws IOException {
        dir = Files.createTempDirectory("tamp-jmh");
        EngineConfig d = EngineConfig.defaults(dir);
        engine = Engine.open(new EngineConfig(dir, 2, 40 * EngineConfig.GiB, d.segmentBytes(), d.fingerprintEntries(), background,
                d.flushIntervalMs(), d.drainBlocksPerTick(), d.inlineUnmapBlocks()));
    }

    @Override
    public void close() throws IOException {
        engine.close();
        try (var s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
