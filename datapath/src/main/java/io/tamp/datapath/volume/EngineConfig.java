package io.tamp.datapath.volume;

import java.nio.file.Path;

/**
 * Typed, validated engine settings. Defaults are the embedded pool {@code serve} creates on first
 * start: four sparse 16 GiB device files, 4 MiB segments.
 *
 * @param dataDir            holds the device files (dev-N), the metadata store (meta/) and the fingerprint index
 * @param deviceCount        devices created on first start
 * @param deviceBytes        size of each device created on first start
 * @param segmentBytes       allocation and cleaning unit
 * @param fingerprintEntries capacity the fingerprint index is sized for; it takes about twice
 *                           this, after which new unique blocks are stored without dedup
 * @param background         run the cleaner, unmap drain and periodic flush threads
 * @param flushIntervalMs    background flush period bounding what a crash can lose; 0 = never
 * @param drainBlocksPerTick block-map entries the unmap drain releases per 10 ms tick (its rate bound)
 * @param inlineUnmapBlocks  unmaps touching up to this many mapped blocks are applied in the foreground
 * @param busyCleanFreeFraction while hosts write, the cleaner moves live data only once free segments
 *                           are at most this share of the pool (1 = always; see SegmentCleaner)
 */
public record EngineConfig(Path dataDir, int deviceCount, long deviceBytes, int segmentBytes,
                           long fingerprintEntries, boolean background, long flushIntervalMs,
                           int drainBlocksPerTick, int inlineUnmapBlocks, double busyCleanFreeFraction) {

    public static final long GiB = 1L << 30;
    /**
     * Hosts writing into a pool with more than a quarter of its segments free leave their garbage
     * for idle time: by then segments have emptied further, and moving their live data competes
     * with no host I/O. Cleaning during such a burst cost 4–18 % of 4 KiB random-write IOPS.
     */
    public static final double BUSY_CLEAN_FREE_FRACTION = 0.25;

    public EngineConfig(Path dataDir, int deviceCount, long deviceBytes, int segmentBytes, long fingerprintEntries,
                        boolean background, long flushIntervalMs, int drainBlocksPerTick, int inlineUnmapBlocks) {
        this(dataDir, deviceCount, deviceBytes, segmentBytes, fingerprintEntries, background, flushIntervalMs,
                drainBlocksPerTick, inlineUnmapBlocks, BUSY_CLEAN_FREE_FRACTION);
    }

    public EngineConfig {
        if (dataDir == null) {
            throw new IllegalArgumentException("dataDir is required");
        }
        if (deviceCount < 1 || deviceCount > 64) {
            throw new IllegalArgumentException("deviceCount must be 1..64, got " + deviceCount);
        }
        if (Integer.bitCount(segmentBytes) != 1 || segmentBytes < (64 << 10) || segmentBytes > (1 << 30)) {
            throw new IllegalArgumentException("segmentBytes must be a power of two in 64 KiB..1 GiB, got " + segmentBytes);
        }
        if (deviceBytes < (1L << 20) + 4L * segmentBytes) {
            throw new IllegalArgumentException("deviceBytes " + deviceBytes + " too small for 4 segments of " + segmentBytes);
        }
        if (fingerprintEntries < 1024) {
            throw new IllegalArgumentException("fingerprintEntries must be at least 1024");
        }
        if (drainBlocksPerTick < 1 || inlineUnmapBlocks < 0) {
            throw new IllegalArgumentException("drainBlocksPerTick must be >= 1 and inlineUnmapBlocks >= 0");
        }
        if (!(busyCleanFreeFraction >= 0 && busyCleanFreeFraction <= 1)) {
            throw new IllegalArgumentException("busyCleanFreeFraction must be in 0..1, got " + busyCleanFreeFraction);
        }
    }

    public static EngineConfig defaults(Path dataDir) {
        return new EngineConfig(dataDir, 4, 16 * GiB, 4 << 20, 4_000_000, true, 1000, 128, 4096);
    }

    /** A small pool for tests: deviceCount x deviceBytes, 64 KiB segments, no background threads. */
    public static EngineConfig small(Path dataDir, int deviceCount, long deviceBytes) {
        return new EngineConfig(dataDir, deviceCount, deviceBytes, 64 << 10, 65_536, false, 0, 2048, 4096);
    }

    public EngineConfig withBackground(boolean on) {
        return new EngineConfig(dataDir, deviceCount, deviceBytes, segmentBytes, fingerprintEntries, on,
                flushIntervalMs, drainBlocksPerTick, inlineUnmapBlocks, busyCleanFreeFraction);
    }

    public EngineConfig withSegmentBytes(int bytes) {
        return new EngineConfig(dataDir, deviceCount, deviceBytes, bytes, fingerprintEntries, background,
                flushIntervalMs, drainBlocksPerTick, inlineUnmapBlocks, busyCleanFreeFraction);
    }

    public EngineConfig withInlineUnmapBlocks(int blocks) {
        return new EngineConfig(dataDir, deviceCount, deviceBytes, segmentBytes, fingerprintEntries, background,
                flushIntervalMs, drainBlocksPerTick, blocks, busyCleanFreeFraction);
    }

    public EngineConfig withFlushIntervalMs(long ms) {
        return new EngineConfig(dataDir, deviceCount, deviceBytes, segmentBytes, fingerprintEntries, background,
                ms, drainBlocksPerTick, inlineUnmapBlocks, busyCleanFreeFraction);
    }

    /** See {@link #busyCleanFreeFraction}; 1 makes the cleaner move live data whenever a segment qualifies. */
    public EngineConfig withBusyCleanFreeFraction(double fraction) {
        return new EngineConfig(dataDir, deviceCount, deviceBytes, segmentBytes, fingerprintEntries, background,
                flushIntervalMs, drainBlocksPerTick, inlineUnmapBlocks, fraction);
    }
}
