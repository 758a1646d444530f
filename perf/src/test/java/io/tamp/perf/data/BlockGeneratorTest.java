package io.tamp.perf.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BlockGeneratorTest {
    private static final long SEED = Long.getLong("tamp.test.seed", 0x7a3b_5eedL);
    private static final int BLOCK = BlockGenerator.BLOCK_BYTES;

    @Test
    void sameSeedGivesSameBlocks() {
        byte[] a = BlockGenerator.generate(SEED, 2048, 2.0, 2.0);
        byte[] b = BlockGenerator.generate(SEED, 2048, 2.0, 2.0);
        assertArrayEquals(a, b, "seed " + SEED);
    }

    @Test
    void generateMatchesNext() {
        byte[] all = BlockGenerator.generate(SEED, 64, 3.0, 4.0);
        BlockGenerator generator = new BlockGenerator(SEED, 3.0, 4.0);
        byte[] block = new byte[BLOCK];
        for (int i = 0; i < 64; i++) {
            generator.next(block);
            assertArrayEquals(block, Arrays.copyOfRange(all, i * BLOCK, (i + 1) * BLOCK), "block " + i + " seed " + SEED);
        }
    }

    @Test
    void differentSeedsGiveDifferentBlocks() {
        assertFalse(Arrays.equals(BlockGenerator.generate(SEED, 16, 2.0, 1.0),
                BlockGenerator.generate(SEED + 1, 16, 2.0, 1.0)), "seed " + SEED);
    }

    @ParameterizedTest
    @CsvSource({"1.0, 1.0", "2.0, 1.0", "2.0, 2.0", "4.0, 4.0", "1.0, 3.0"})
    void achievesDedupRatioWithinFivePercent(double compressionRatio, double dedupRatio) throws Exception {
        int blocks = 16_384;
        BlockGenerator generator = new BlockGenerator(SEED, compressionRatio, dedupRatio);
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        Set<ByteBuffer> distinct = new HashSet<>();
        byte[] block = new byte[BLOCK];
        for (int i = 0; i < blocks; i++) {
            generator.next(block);
            distinct.add(ByteBuffer.wrap(sha256.digest(block)));
        }
        double achieved = (double) blocks / distinct.size();
        assertWithin(dedupRatio, achieved, 0.05, "dedup ratio, compression " + compressionRatio);
    }

    @ParameterizedTest
    @ValueSource(doubles = {1.0, 2.0, 3.0, 4.0, 8.0})
    void achievesLz4RatioWithinFifteenPercent(double compressionRatio) {
        LZ4Compressor lz4 = LZ4Factory.fastestInstance().fastCompressor();
        byte[] compressed = new byte[lz4.maxCompressedLength(BLOCK)];
        BlockGenerator generator = new BlockGenerator(SEED, compressionRatio, 1.0);
        byte[] block = new byte[BLOCK];
        int blocks = 1024;
        long compressedBytes = 0;
        for (int i = 0; i < blocks; i++) {
            generator.next(block);
            int length = lz4.compress(block, 0, BLOCK, compressed, 0, compressed.length);
            assertWithin(compressionRatio, (double) BLOCK / length, 0.15, "LZ4 ratio of block " + i);
            compressedBytes += length;
        }
        assertWithin(compressionRatio, (double) blocks * BLOCK / compressedBytes, 0.15, "LZ4 ratio of stream");
    }

    @Test
    void duplicatesComeFromEarlierUniqueBlocks() throws NoSuchAlgorithmException {
        BlockGenerator generator = new BlockGenerator(SEED, 2.0, 3.0);
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        Set<ByteBuffer> seen = new HashSet<>();
        byte[] block = new byte[BLOCK];
        generator.next(block);
        seen.add(ByteBuffer.wrap(sha256.digest(block)));
        int duplicates = 0;
        for (int i = 1; i < 4096; i++) {
            generator.next(block);
            if (!seen.add(ByteBuffer.wrap(sha256.digest(block)))) {
                duplicates++;
            }
        }
        assertTrue(duplicates > 0, "seed " + SEED);
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> new BlockGenerator(SEED, 0.5, 1.0));
        assertThrows(IllegalArgumentException.class, () -> new BlockGenerator(SEED, Double.NaN, 1.0));
        assertThrows(IllegalArgumentException.class, () -> new BlockGenerator(SEED, 2.0, 0.9));
        assertThrows(IllegalArgumentException.class, () -> new BlockGenerator(SEED, 2.0, Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> new BlockGenerator(SEED, 2.0, 1.0).next(new byte[512]));
    }

    @Test
    void fullyCompressibleTargetsClampToZeroRandomBytes() {
        assertEquals(0, BlockGenerator.randomBytesFor(1000.0));
        assertEquals(BLOCK, BlockGenerator.randomBytesFor(1.0));
    }

    private static void assertWithin(double expected, double actual, double tolerance, String what) {
        assertTrue(Math.abs(actual - expected) <= expected * tolerance,
                what + ": expected " + expected + " +/- " + (tolerance * 100) + "% but was " + actual + " (seed " + SEED + ")");
    }
}
