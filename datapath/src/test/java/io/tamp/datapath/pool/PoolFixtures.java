package io.tamp.datapath.pool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/** Small pools and raw-file helpers shared by the pool tests. */
final class PoolFixtures {
    static final int SEGMENT_BYTES = 64 << 10;
    static final int SEGMENTS_PER_DEVICE = 8;
    static final long DEVICE_BYTES = Pool.DATA_START_BYTES + (long) SEGMENTS_PER_DEVICE * SEGMENT_BYTES;

    private PoolFixtures() {
    }

    static List<Path> devicePaths(Path dir, String prefix, int count) {
        List<Path> paths = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            paths.add(dir.resolve(prefix + i + ".dev"));
        }
        return paths;
    }

    /** An aligned buffer of {@code bytes} random bytes from {@code seed}, position 0. */
    static ByteBuffer randomBlock(int bytes, long seed) {
        byte[] data = new byte[bytes];
        new SplittableRandom(seed).nextBytes(data);
        return Pool.allocateAligned(bytes).put(data).flip();
    }

    static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    /** Reads a raw device file through the page cache, bypassing the pool. */
    static byte[] readRaw(Path file, long positionBytes, int lengthBytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(lengthBytes);
            PoolDevice.readFully(channel, buffer, positionBytes);
            return buffer.array();
        }
    }

    static void writeRaw(Path file, long positionBytes, byte[] data) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            PoolDevice.writeFully(channel, ByteBuffer.wrap(data), positionBytes);
        }
    }

    /** Edits the superblock of a device file in place, optionally re-sealing its CRC. */
    static void patchSuperblock(Path file, boolean reseal, Consumer<Superblock> edit) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(readRaw(file, 0, Superblock.SIZE_BYTES));
        Superblock superblock = new Superblock().wrap(buffer);
        edit.accept(superblock);
        if (reseal) {
            superblock.sealCrc();
        }
        writeRaw(file, 0, buffer.array());
    }
}
