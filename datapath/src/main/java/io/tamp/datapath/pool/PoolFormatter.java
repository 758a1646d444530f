package io.tamp.datapath.pool;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the superblocks of a new pool. Every device is checked before the first byte is
 * written, and a failure part-way removes what this run wrote, so a retry starts clean.
 */
final class PoolFormatter {
    private static final Logger LOG = LoggerFactory.getLogger(PoolFormatter.class);

    private PoolFormatter() {
    }

    static PoolDevice[] format(List<Path> paths, PoolLayout layout, UUID poolUuid, long createdAtMs,
            boolean tryDirect) throws IOException {
        for (Path path : paths) {
            refuseUnusable(path, layout.deviceBytes());
        }
        List<Path> createdFiles = new ArrayList<>();
        PoolDevice[] devices = new PoolDevice[paths.size()];
        try {
            for (int index = 0; index < devices.length; index++) {
                Path path = paths.get(index);
                if (!Files.exists(path)) {
                    createdFiles.add(path);
                }
                sizeRegularFile(path, layout.deviceBytes());
                ByteBuffer superblock = superblock(layout, poolUuid, index, createdAtMs);
                devices[index] = PoolDevice.open(path, tryDirect,
                        channel -> PoolDevice.writeFully(channel, superblock.clear(), 0));
                devices[index].sync();
            }
            syncParentDirectories(createdFiles);
            return devices;
        } catch (IOException | RuntimeException e) {
            abandon(devices, createdFiles, e);
            throw e;
        }
    }

    private static void refuseUnusable(Path path, long deviceBytes) throws IOException {
        if (!Files.exists(path)) {
            Path parent = path.toAbsolutePath().getParent();
            if (parent == null || !Files.isDirectory(parent)) {
                throw PoolException.device(path, "parent directory " + parent + " does not exist");
            }
            return;
        }
        if (Files.isDirectory(path)) {
            throw PoolException.device(path, "is a directory, not a device or file");
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer head = ByteBuffer.allocate(Superblock.SIZE_BYTES);
            while (head.hasRemaining() && channel.read(head, head.position()) >= 0) {
                continue;
            }
            if (head.position() >= Superblock.MAGIC_BYTES) {
                Superblock existing = new Superblock().wrap(head.clear());
                if (existing.magicMatches()) {
                    throw PoolException.device(path, "already carries a Tamp pool superblock (pool "
                            + existing.poolUuid() + "); refusing to overwrite it");
                }
            }
            if (!Files.isRegularFile(path)) {
                long sizeBytes = channel.size();
                if (sizeBytes < deviceBytes) {
                    throw PoolException.device(path, "has " + sizeBytes + " bytes, fewer than the requested "
                            + deviceBytes);
                }
            }
        }
    }

    /** Creates or extends a regular file, sparse: setLength allocates nothing. */
    private static void sizeRegularFile(Path path, long deviceBytes) throws IOException {
        if (!Files.exists(path) || (Files.isRegularFile(path) && Files.size(path) < deviceBytes)) {
            try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
                file.setLength(deviceBytes);
            }
        }
    }

    private static ByteBuffer superblock(PoolLayout layout, UUID poolUuid, int index, long createdAtMs) {
        ByteBuffer buffer = Pool.allocateAligned(Superblock.SIZE_BYTES);
        new Superblock().wrap(buffer).clear().putMagic().version(Superblock.CURRENT_VERSION).poolUuid(poolUuid)
                .deviceIndex(index).deviceCount(layout.deviceCount()).segmentBytes(layout.segmentBytes())
                .deviceBytes(layout.deviceBytes()).createdAtMs(createdAtMs).sealCrc();
        return buffer;
    }

    /** New directory entries are durable only once their directory is synced. */
    private static void syncParentDirectories(List<Path> createdFiles) throws IOException {
        for (Path file : createdFiles) {
            try (FileChannel directory = FileChannel.open(file.toAbsolutePath().getParent(),
                    StandardOpenOption.READ)) {
                directory.force(true);
            }
        }
    }

    private static void abandon(PoolDevice[] devices, List<Path> createdFiles, Exception cause) {
        ByteBuffer zeros = Pool.allocateAligned(Superblock.SIZE_BYTES);
        for (PoolDevice device : devices) {
            if (device == null) {
                continue;
            }
            try (device) {
                device.write(zeros.clear(), 0);
                device.sync();
            } catch (IOException e) {
                cause.addSuppressed(e);
            }
        }
        for (Path file : createdFiles) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                cause.addSuppressed(e);
            }
        }
        LOG.warn("pool creation failed; removed the superblocks it wrote and the files it created", cause);
    }
}
