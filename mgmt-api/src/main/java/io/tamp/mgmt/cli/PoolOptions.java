package io.tamp.mgmt.cli;

import io.tamp.datapath.volume.EngineConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the pool lives and how a new one is shaped (only used when the pool is created). */
public final class PoolOptions {
    @Option(names = {"--pool", "--data"}, description = "pool directory (devices, metadata, index); default ./data",
            defaultValue = "data")
    Path dir;

    @Option(names = "--devices", description = "device files created with a new pool (default ${DEFAULT-VALUE})",
            defaultValue = "4")
    int devices;

    @Option(names = "--device-gib", description = "size of each new device file in GiB, sparse (default ${DEFAULT-VALUE})",
            defaultValue = "16")
    long deviceGiB;

    /** Refuses a directory that holds no pool: a check or a read must never create one. */
    void requireExisting() throws IOException {
        boolean devices = false;
        if (Files.isDirectory(dir)) {
            try (var s = Files.list(dir)) {
                devices = s.anyMatch(p -> p.getFileName().toString().matches("dev-\\d+"));
            }
        }
        if (!devices) {
            throw new IllegalArgumentException("no pool at " + dir + " (no dev-N device files)");
        }
    }

    EngineConfig config(boolean background) {
        EngineConfig d = EngineConfig.defaults(dir);
        return new EngineConfig(dir, devices, deviceGiB * EngineConfig.GiB, d.segmentBytes(), d.fingerprintEntries(),
                background, d.flushIntervalMs(), d.drainBlocksPerTick(), d.inlineUnmapBlocks());
    }
}
