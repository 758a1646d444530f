package io.tamp.datapath.pool;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Validation of superblocks read by {@link Pool#open}: each device alone, then the set as one pool. */
final class SuperblockChecks {
    private SuperblockChecks() {
    }

    /** Checks in the order that gives the most telling message: magic, version, CRC, then contents. */
    static void checkDevice(Path path, Superblock superblock, long deviceSizeBytes) throws PoolException {
        if (!superblock.magicMatches()) {
            throw PoolException.device(path, "not a Tamp pool device (superblock magic is not \"TAMPPOOL\")");
        }
        if (superblock.version() != Superblock.CURRENT_VERSION) {
            throw PoolException.device(path, "unsupported superblock format version " + superblock.version()
                    + "; this build supports version " + Superblock.CURRENT_VERSION);
        }
        if (!superblock.crcMatches()) {
            throw PoolException.device(path, String.format("superblock corrupt: stored CRC32C %08x, computed %08x",
                    superblock.storedCrc(), superblock.computeCrc()));
        }
        try {
            new PoolLayout(superblock.segmentBytes(), superblock.deviceBytes(), superblock.deviceCount());
        } catch (IllegalArgumentException e) {
            throw PoolException.device(path, "superblock records an invalid layout: " + e.getMessage());
        }
        int index = superblock.deviceIndex();
        if (index < 0 || index >= superblock.deviceCount()) {
            throw PoolException.device(path, "superblock device index " + index + " is outside [0, "
                    + superblock.deviceCount() + ")");
        }
        if (deviceSizeBytes < superblock.deviceBytes()) {
            throw PoolException.device(path, "device is truncated: it has " + deviceSizeBytes
                    + " bytes, its superblock records " + superblock.deviceBytes());
        }
    }

    /**
     * Checks that the devices, each already passed {@link #checkDevice}, form exactly one
     * whole pool, and returns them ordered by device index.
     */
    static PoolDevice[] assemble(List<PoolDevice> devices, List<Superblock> superblocks) throws PoolException {
        Superblock first = superblocks.get(0);
        Path firstPath = devices.get(0).path();
        for (int i = 1; i < devices.size(); i++) {
            Superblock other = superblocks.get(i);
            Path otherPath = devices.get(i).path();
            if (!other.poolUuid().equals(first.poolUuid())) {
                throw new PoolException("devices belong to different pools: " + otherPath + " is in pool "
                        + other.poolUuid() + ", but " + firstPath + " is in pool " + first.poolUuid());
            }
            if (other.deviceCount() != first.deviceCount() || other.segmentBytes() != first.segmentBytes()
                    || other.deviceBytes() != first.deviceBytes()) {
                throw new PoolException("superblocks of pool " + first.poolUuid() + " disagree: "
                        + describe(otherPath, other) + " but " + describe(firstPath, first));
            }
        }
        PoolDevice[] ordered = new PoolDevice[first.deviceCount()];
        for (int i = 0; i < devices.size(); i++) {
            int index = superblocks.get(i).deviceIndex();
            if (ordered[index] != null) {
                throw new PoolException("duplicate device index " + index + " in pool " + first.poolUuid() + ": "
                        + ordered[index].path() + " and " + devices.get(i).path());
            }
            ordered[index] = devices.get(i);
        }
        if (devices.size() != first.deviceCount()) {
            List<Integer> missing = new ArrayList<>();
            for (int index = 0; index < ordered.length; index++) {
                if (ordered[index] == null) {
                    missing.add(index);
                }
            }
            throw new PoolException("pool " + first.poolUuid() + " has " + first.deviceCount() + " devices but "
                    + devices.size() + " were given; missing device index " + missing);
        }
        return ordered;
    }

    private static String describe(Path path, Superblock superblock) {
        return path + " records " + superblock.deviceCount() + " devices of " + superblock.deviceBytes()
                + " bytes with " + superblock.segmentBytes() + "-byte segments";
    }
}
