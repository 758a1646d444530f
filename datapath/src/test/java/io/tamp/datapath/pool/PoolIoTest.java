package io.tamp.datapath.pool;

import static io.tamp.datapath.pool.PoolFixtures.DEVICE_BYTES;
import static io.tamp.datapath.pool.PoolFixtures.SEGMENT_BYTES;
import static io.tamp.datapath.pool.PoolFixtures.bytes;
import static io.tamp.datapath.pool.PoolFixtures.devicePaths;
import static io.tamp.datapath.pool.PoolFixtures.randomBlock;
import static io.tamp.datapath.pool.PoolFixtures.readRaw;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PoolIoTest {
    private static final int BLOCK = Pool.IO_ALIGNMENT_BYTES;

    @TempDir
    Path dir;

    private static long seed() {
        return Long.getLong("tamp.test.seed", System.nanoTime());
    }

    @Test
    void dataSurvivesCloseAndReopenInAnyDeviceOrderAndLandsAtTheMappedFileOffset() throws IOException {
        List<Path> paths = devicePaths(dir, "rt", 3);
        Clock clock = Clock.fixed(Instant.ofEpochMilli(1_764_288_000_000L), ZoneOffset.UTC);
        long seed = seed();
        UUID uuid;
        try (Pool pool = Pool.create(paths, DEVICE_BYTES, SEGMENT_BYTES, clock)) {
            uuid = pool.poolUuid();
            assertEquals(3 * PoolFixtures.SEGMENTS_PER_DEVICE, pool.segmentCount());
            for (int segment = 0; segment < pool.segmentCount(); segment++) {
                pool.write(segment, offsetFor(segment), randomBlock(BLOCK, seed + segment));
            }
            pool.sync();
        }
        assertEquals(1_764_288_000_000L,
                new Superblock().wrap(ByteBuffer.wrap(readRaw(paths.get(2), 0, 4096))).createdAtMs());

        List<Path> shuffled = new ArrayList<>(paths);
        Collections.shuffle(shuffled, new Random(seed));
        try (Pool pool = Pool.open(shuffled)) {
            assertEquals(uuid, pool.poolUuid());
            assertEquals(3, pool.deviceCount());
            assertEquals(SEGMENT_BYTES, pool.segmentBytes());
            assertEquals(3 * PoolFixtures.SEGMENTS_PER_DEVICE, pool.segmentCount());
            ByteBuffer dst = Pool.allocateAligned(BLOCK);
            for (int segment = 0; segment < pool.segmentCount(); segment++) {
                byte[] expected = bytes(randomBlock(BLOCK, seed + segment));
                pool.read(segment, offsetFor(segment), dst.clear());
                assertEquals(BLOCK, dst.position());
                assertArrayEquals(expected, bytes(dst.flip()), "segment " + segment + ", seed " + seed);

                Path file = paths.get(segment % 3);
                assertEquals(file, pool.devicePathOf(segment));
                long fileOffset = Pool.DATA_START_BYTES + (long) (segment / 3) * SEGMENT_BYTES + offsetFor(segment);
                assertArrayEquals(expected, readRaw(file, fileOffset, BLOCK), "raw offset of segment " + segment);
            }
        }
    }

    private static int offsetFor(int segment) {
        return (segment % (SEGMENT_BYTES / BLOCK)) * BLOCK;
    }

    @Test
    void usesDirectIoOnExt4() throws IOException {
        String type = Files.getFileStore(dir).type();
        assumeTrue(Set.of("ext4", "xfs").contains(type), "O_DIRECT expected only on ext4/xfs, here " + type);
        List<Path> paths = devicePaths(dir, "direct", 2);
        try (Pool pool = Pool.create(paths, DEVICE_BYTES, SEGMENT_BYTES)) {
            assertTrue(pool.directIo(), "create fell back to buffered I/O on " + type);
        }
        try (Pool pool = Pool.open(paths)) {
            assertTrue(pool.directIo(), "open fell back to buffered I/O on " + type);
            ByteBuffer misaligned = Pool.allocateAligned(2 * BLOCK).position(1).limit(1 + BLOCK);
            assertThrows(IOException.class, () -> pool.device(1).write(misaligned, Pool.DATA_START_BYTES),
                    "only a channel opened with O_DIRECT refuses a misaligned buffer");
            ByteBuffer cached = Pool.allocateAligned(2 * BLOCK).position(1).limit(1 + BLOCK);
            pool.device(1).read(cached, Pool.DATA_START_BYTES);
            assertEquals(1 + BLOCK, cached.position(), "reads go through the page cache");
        }
        try (Pool pool = Pool.open(paths, false)) {
            ByteBuffer misaligned = Pool.allocateAligned(2 * BLOCK).position(1).limit(1 + BLOCK);
            pool.device(1).read(misaligned, Pool.DATA_START_BYTES);
            assertEquals(1 + BLOCK, misaligned.position());
        }
    }

    @Test
    void bufferedModeReadsWhatDirectModeWroteAndBack() throws IOException {
        List<Path> paths = devicePaths(dir, "buf", 2);
        long seed = seed();
        try (Pool pool = Pool.create(paths, DEVICE_BYTES, SEGMENT_BYTES, Clock.systemUTC(), false)) {
            assertFalse(pool.directIo());
            pool.write(3, 8 * BLOCK, randomBlock(2 * BLOCK, seed));
            pool.sync();
        }
        try (Pool pool = Pool.open(paths)) {
            ByteBuffer dst = Pool.allocateAligned(2 * BLOCK);
            pool.read(3, 8 * BLOCK, dst);
            assertArrayEquals(bytes(randomBlock(2 * BLOCK, seed)), bytes(dst.flip()), "seed " + seed);
            pool.write(4, 0, randomBlock(BLOCK, seed + 1));
        }
        try (Pool pool = Pool.open(paths, false)) {
            assertFalse(pool.directIo());
            ByteBuffer dst = Pool.allocateAligned(BLOCK);
            pool.read(4, 0, dst);
            assertArrayEquals(bytes(randomBlock(BLOCK, seed + 1)), bytes(dst.flip()), "seed " + seed);
        }
    }

    @Test
    void oneMebibyteWritesInsideASegmentAndOnTheLastSegment() throws IOException {
        int segmentBytes = 2 << 20;
        long deviceBytes = Pool.DATA_START_BYTES + 4L * segmentBytes;
        List<Path> paths = devicePaths(dir, "big", 2);
        long seed = seed();
        int mib = 1 << 20;
        try (Pool pool = Pool.create(paths, deviceBytes, segmentBytes)) {
            int last = pool.segmentCount() - 1;
            assertEquals(7, last);
            pool.write(2, 512 << 10, randomBlock(mib, seed));
            pool.write(last, segmentBytes - mib, randomBlock(mib, seed + 1));
            pool.sync();

            ByteBuffer dst = Pool.allocateAligned(mib);
            pool.read(2, 512 << 10, dst);
            assertArrayEquals(bytes(randomBlock(mib, seed)), bytes(dst.flip()), "seed " + seed);
            pool.read(last, segmentBytes - mib, dst.clear());
            assertArrayEquals(bytes(randomBlock(mib, seed + 1)), bytes(dst.flip()), "seed " + seed);
        }
        assertArrayEquals(bytes(randomBlock(mib, seed + 1)),
                readRaw(paths.get(1), deviceBytes - mib, mib), "last segment ends at the device end");
        assertEquals(deviceBytes, Files.size(paths.get(0)));
        assertEquals(deviceBytes, Files.size(paths.get(1)));
    }

    @Test
    void rejectsMisalignedOrOutOfRangeIo() throws IOException {
        try (Pool pool = Pool.create(devicePaths(dir, "bad", 2), DEVICE_BYTES, SEGMENT_BYTES)) {
            ByteBuffer ok = Pool.allocateAligned(BLOCK);
            assertRejected(pool, 0, 1, ok);
            assertRejected(pool, 0, 512, ok);
            assertRejected(pool, 0, -BLOCK, ok);
            assertRejected(pool, 0, 0, Pool.allocateAligned(BLOCK + 512));
            assertRejected(pool, 0, 0, Pool.allocateAligned(100));
            assertRejected(pool, 0, 0, ByteBuffer.allocate(BLOCK));
            ByteBuffer misaligned = Pool.allocateAligned(2 * BLOCK).position(512).limit(512 + BLOCK);
            assertRejected(pool, 0, 0, misaligned);
            assertRejected(pool, -1, 0, ok);
            assertRejected(pool, pool.segmentCount(), 0, ok);
            assertThrows(IllegalArgumentException.class, () -> pool.read(0, 0, ok.asReadOnlyBuffer()));

            ByteBuffer alignedAtPosition = Pool.allocateAligned(2 * BLOCK).position(BLOCK);
            pool.write(0, 0, alignedAtPosition);
            assertEquals(2 * BLOCK, alignedAtPosition.position());
        }
    }

    @Test
    void rejectsWritesPastTheSegmentEndAndWritesNothing() throws IOException {
        List<Path> paths = devicePaths(dir, "end", 1);
        try (Pool pool = Pool.create(paths, DEVICE_BYTES, SEGMENT_BYTES)) {
            ByteBuffer two = randomBlock(2 * BLOCK, 1);
            assertRejected(pool, 0, SEGMENT_BYTES - BLOCK, two);
            assertRejected(pool, 0, SEGMENT_BYTES, randomBlock(BLOCK, 2));
            assertRejected(pool, 0, 0, randomBlock(SEGMENT_BYTES + BLOCK, 3));
            assertEquals(0, two.position(), "a rejected write consumes nothing");
            pool.write(0, SEGMENT_BYTES - BLOCK, randomBlock(BLOCK, 4));
            pool.write(1, 0, randomBlock(SEGMENT_BYTES, 5));
            pool.sync();
        }
        assertArrayEquals(bytes(randomBlock(BLOCK, 4)),
                readRaw(paths.get(0), Pool.DATA_START_BYTES + SEGMENT_BYTES - BLOCK, BLOCK));
        assertArrayEquals(bytes(randomBlock(SEGMENT_BYTES, 5)),
                readRaw(paths.get(0), Pool.DATA_START_BYTES + SEGMENT_BYTES, SEGMENT_BYTES));
    }

    private static void assertRejected(Pool pool, int segment, int offset, ByteBuffer buffer) {
        assertThrows(IllegalArgumentException.class, () -> pool.write(segment, offset, buffer),
                "write segment " + segment + " offset " + offset + " " + buffer);
        if (!buffer.isReadOnly()) {
            assertThrows(IllegalArgumentException.class, () -> pool.read(segment, offset, buffer.duplicate()),
                    "read segment " + segment + " offset " + offset + " " + buffer);
        }
    }

    @Test
    void concurrentWritersOnDistinctBlocksReadBackTheirData() throws Exception {
        long seed = seed();
        int threads = 8;
        try (Pool pool = Pool.create(devicePaths(dir, "mt", 3), DEVICE_BYTES, SEGMENT_BYTES)) {
            int blocksPerSegment = SEGMENT_BYTES / BLOCK;
            int totalBlocks = pool.segmentCount() * blocksPerSegment;
            ExecutorService executor = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    futures.add(executor.submit(() -> {
                        ByteBuffer dst = Pool.allocateAligned(BLOCK);
                        for (int block = thread; block < totalBlocks; block += threads) {
                            int segment = block / blocksPerSegment;
                            int offset = (block % blocksPerSegment) * BLOCK;
                            pool.write(segment, offset, randomBlock(BLOCK, seed + block));
                            pool.read(segment, offset, dst.clear());
                            assertArrayEquals(bytes(randomBlock(BLOCK, seed + block)), bytes(dst.flip()),
                                    "block " + block + ", seed " + seed);
                        }
                        return null;
                    }));
                }
                for (Future<?> future : futures) {
                    future.get(60, TimeUnit.SECONDS);
                }
            } finally {
                executor.shutdownNow();
            }
            ByteBuffer dst = Pool.allocateAligned(BLOCK);
            SplittableRandom pick = new SplittableRandom(seed);
            for (int i = 0; i < 200; i++) {
                int block = pick.nextInt(totalBlocks);
                pool.read(block / blocksPerSegment, (block % blocksPerSegment) * BLOCK, dst.clear());
                assertArrayEquals(bytes(randomBlock(BLOCK, seed + block)), bytes(dst.flip()),
                        "block " + block + ", seed " + seed);
            }
        }
    }

    @Test
    void anInterruptedCallerDoesNotCloseTheDeviceForEveryoneElse() throws IOException {
        try (Pool pool = Pool.create(devicePaths(dir, "intr", 1), DEVICE_BYTES, SEGMENT_BYTES)) {
            pool.write(0, 0, randomBlock(BLOCK, 9));
            ByteBuffer dst = Pool.allocateAligned(BLOCK);
            Thread.currentThread().interrupt();
            try {
                pool.read(0, 0, dst);
            } finally {
                assertTrue(Thread.interrupted(), "the interrupt flag is preserved");
            }
            pool.read(0, 0, dst.clear());
            assertArrayEquals(bytes(randomBlock(BLOCK, 9)), bytes(dst.flip()));
        }
    }

    @Test
    void closeIsIdempotentAndLaterIoFails() throws IOException {
        Pool pool = Pool.create(devicePaths(dir, "cl", 1), DEVICE_BYTES, SEGMENT_BYTES);
        pool.close();
        pool.close();
        assertThrows(IOException.class, () -> pool.write(0, 0, randomBlock(BLOCK, 1)));
        assertThrows(IOException.class, pool::sync);
    }

    @Test
    void allocateAlignedGivesExactAlignedDirectBuffers() {
        for (int bytes : new int[] {0, 100, 4096, 4608, 12288, (1 << 20) + 1}) {
            ByteBuffer buffer = Pool.allocateAligned(bytes);
            assertTrue(buffer.isDirect());
            assertEquals(bytes, buffer.capacity());
            assertEquals(0, buffer.alignmentOffset(0, Pool.IO_ALIGNMENT_BYTES));
        }
    }
}
