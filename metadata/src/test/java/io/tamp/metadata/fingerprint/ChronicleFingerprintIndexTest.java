package io.tamp.metadata.fingerprint;

import static io.tamp.metadata.fingerprint.FingerprintIndex.NO_EXTENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeout;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import net.openhft.chronicle.map.ChronicleMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link FingerprintIndex} contract over Chronicle Map, plus persistence and bad files. */
class ChronicleFingerprintIndexTest extends FingerprintIndexContract {

    private static final Logger LOG = LoggerFactory.getLogger(ChronicleFingerprintIndexTest.class);

    @TempDir
    Path dir;

    private final AtomicInteger files = new AtomicInteger();

    /** Chronicle alone would poll a bad header for a minute; refusing must be quick. */
    private static final Duration REFUSE_WITHIN = Duration.ofSeconds(20);

    @Override
    protected FingerprintIndex create(long maxEntries) throws IOException {
        return ChronicleFingerprintIndex.open(dir.resolve("fp-" + files.incrementAndGet()), maxEntries);
    }

    private static void fill(FingerprintIndex index, int count) {
        for (int i = 0; i < count; i++) {
            index.put(fingerprint(i), 0, 1_000_000L + i);
        }
        assertTrue(index.remove(fingerprint(0), 0, 1_000_000L));
    }

    private static void assertFilled(FingerprintIndex index, int count) {
        assertEquals(count - 1, index.size());
        assertEquals(NO_EXTENT, index.get(fingerprint(0), 0));
        for (int i = 1; i < count; i++) {
            assertEquals(1_000_000L + i, index.get(fingerprint(i), 0), "entry " + i);
        }
    }

    @Test
    void aFullIndexRefusesNewEntriesAndKeepsWorking() throws IOException {
        try (FingerprintIndex index = create(1024)) {
            int inserted = 0;
            while (index.putIfAbsent(fingerprint(inserted), 0, inserted + 1) == NO_EXTENT) {
                inserted++;
                assertTrue(inserted < 100_000, "a map sized for 1024 entries never filled");
            }
            assertEquals(FingerprintIndex.FULL, index.putIfAbsent(fingerprint(inserted), 0, inserted + 1));
            assertEquals(inserted, index.size());
            assertEquals(NO_EXTENT, index.get(fingerprint(inserted), 0));
            assertEquals(1, index.putIfAbsent(fingerprint(0), 0, 99), "an existing entry is still found");
            long[] visited = {0};
            index.forEach((fp, id) -> visited[0]++);
            assertEquals(inserted, visited[0]);
            assertTrue(index.remove(fingerprint(0), 0, 1));
            // the freed room is in that entry's own segment: the same fingerprint fits again
            assertEquals(NO_EXTENT, index.putIfAbsent(fingerprint(0), 0, 7), "room again after a remove");
            assertEquals(7, index.get(fingerprint(0), 0));
        }
    }

    @Test
    void entriesSurviveCloseAndReopen() throws IOException {
        Path file = dir.resolve("fp.cmap");
        int count = 20_000;
        try (ChronicleFingerprintIndex index = ChronicleFingerprintIndex.open(file, count)) {
            fill(index, count);
        }
        assertTrue(Files.exists(ChronicleFingerprintIndex.cleanMarker(file)), "clean marker");
        long startNs = System.nanoTime();
        try (ChronicleFingerprintIndex index = ChronicleFingerprintIndex.open(file, count)) {
            LOG.info("reopened {} entries after clean close in {} us",
                    index.size(), (System.nanoTime() - startNs) / 1_000);
            assertFalse(Files.exists(ChronicleFingerprintIndex.cleanMarker(file)),
                    "marker removed while open");
            assertFilled(index, count);
            index.put(fingerprint(0), 0, 5);
        }
        try (ChronicleFingerprintIndex index = ChronicleFingerprintIndex.open(file, count)) {
            assertEquals(5, index.get(fingerprint(0), 0));
            assertEquals(count, index.size());
        }
    }

    @Test
    void reopenWithoutCleanMarkerRecoversEntries() throws IOException {
        Path file = dir.resolve("fp.cmap");
        int count = 20_000;
        try (ChronicleFingerprintIndex index = ChronicleFingerprintIndex.open(file, count)) {
            fill(index, count);
        }
        // What a crash leaves: the map file without the marker.
        Files.delete(ChronicleFingerprintIndex.cleanMarker(file));
        long startNs = System.nanoTime();
        try (ChronicleFingerprintIndex index = ChronicleFingerprintIndex.open(file, count)) {
            LOG.info("recovered {} entries in {} us",
                    index.size(), (System.nanoTime() - startNs) / 1_000);
            assertFilled(index, count);
        }
        assertTrue(Files.exists(ChronicleFingerprintIndex.cleanMarker(file)), "clean after recovery");
        try (ChronicleFingerprintIndex index = ChronicleFingerprintIndex.open(file, count)) {
            assertFilled(index, count);
        }
    }

    @Test
    void reopenIgnoresADifferentSizingHint() throws IOException {
        Path file = dir.resolve("fp.cmap");
        try (ChronicleFingerprintIndex index = ChronicleFingerprintIndex.open(file, 5_000)) {
            fill(index, 5_000);
        }
        try (ChronicleFingerprintIndex index = ChronicleFingerprintIndex.open(file, 10)) {
            assertFilled(index, 5_000);
        }
    }

    @Test
    void reportsOffHeapBytes() throws IOException {
        Path file = dir.resolve("fp.cmap");
        try (ChronicleFingerprintIndex index = ChronicleFingerprintIndex.open(file, 100_000)) {
            long bytes = index.offHeapBytes();
            // At least key and value per entry; at most a few times that.
            assertTrue(bytes >= 100_000L * 40 && bytes <= 100_000L * 200, "offHeapBytes " + bytes);
            assertTrue(Files.size(file) <= bytes, "file " + Files.size(file) + " vs " + bytes);
        }
    }

    @Test
    void closeTwiceIsHarmless() throws IOException {
        ChronicleFingerprintIndex index = ChronicleFingerprintIndex.open(dir.resolve("fp.cmap"), 100);
        index.close();
        index.close();
    }

    private static IOException refused(Path file) {
        return assertTimeout(REFUSE_WITHIN, () ->
                assertThrows(IOException.class, () -> ChronicleFingerprintIndex.open(file, 100)));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 11, 12, 100, 4096, 65_536, 1 << 20})
    void garbageFileIsAnIOException(int bytes) throws IOException {
        for (long seed = 0; seed < 4; seed++) {
            Path file = dir.resolve("garbage-" + seed);
            byte[] junk = new byte[bytes];
            new SplittableRandom(seed * 31 + bytes).nextBytes(junk);
            Files.write(file, junk);
            IOException e = refused(file);
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            assertEquals(bytes, Files.size(file), "the bad file is left alone for inspection");
        }
    }

    /** A fingerprint index file with 100 entries, closed without its clean marker. */
    private byte[] realFileBytes(Path file) throws IOException {
        try (ChronicleFingerprintIndex index = ChronicleFingerprintIndex.open(file, 1_000)) {
            fill(index, 100);
        }
        Files.delete(ChronicleFingerprintIndex.cleanMarker(file));
        return Files.readAllBytes(file);
    }

    @Test
    void scrambledHeaderIsAnIOException() throws IOException {
        Path file = dir.resolve("fp.cmap");
        byte[] content = realFileBytes(file);
        byte[] junk = new byte[1024];
        new SplittableRandom(7).nextBytes(junk);
        System.arraycopy(junk, 0, content, 4, junk.length);
        Files.write(file, content);
        refused(file);
    }

    @Test
    void oneFlippedHeaderByteIsAnIOException() throws IOException {
        Path file = dir.resolve("fp.cmap");
        byte[] content = realFileBytes(file);
        content[ChronicleHeaderCheck.HEADER_OFFSET + 40] ^= 0x01;
        Files.write(file, content);
        IOException e = refused(file);
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void interruptedCreationIsAnIOException() throws IOException {
        Path file = dir.resolve("fp.cmap");
        byte[] content = realFileBytes(file);
        content[ChronicleHeaderCheck.SIZE_WORD_OFFSET + 3] |= (byte) 0x80; // not-ready bit, LE
        Files.write(file, content);
        IOException e = refused(file);
        assertTrue(e.getMessage().contains("incomplete"), e.getMessage());
    }

    @Test
    void emptyFileStartsAnEmptyIndex() throws IOException {
        Path file = dir.resolve("fp.cmap");
        Files.createFile(file);
        try (ChronicleFingerprintIndex index = ChronicleFingerprintIndex.open(file, 100)) {
            assertEquals(0, index.size());
            index.put(fingerprint(1), 0, 1);
        }
        try (ChronicleFingerprintIndex index = ChronicleFingerprintIndex.open(file, 100)) {
            assertEquals(1, index.get(fingerprint(1), 0));
        }
    }

    @Test
    void someOtherChronicleMapIsAnIOException() throws IOException {
        Path file = dir.resolve("other.cmap");
        ChronicleMap.of(Long.class, Long.class).name("other").entries(10)
                .createPersistedTo(file.toFile()).close();
        IOException e = assertThrows(IOException.class, () -> ChronicleFingerprintIndex.open(file, 10));
        assertTrue(e.getMessage().contains("not a fingerprint index"), e.getMessage());
    }
}
