package io.tamp.metadata.fingerprint;

import static io.tamp.metadata.fingerprint.FingerprintIndex.FINGERPRINT_BYTES;
import static io.tamp.metadata.fingerprint.FingerprintIndex.NO_EXTENT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link FingerprintIndex} must show; one subclass per implementation.
 * Randomized tests take their seed from {@code -Dtamp.seed=...} when given, and print it in
 * every failure message.
 */
abstract class FingerprintIndexContract {

    private final List<FingerprintIndex> opened = new ArrayList<>();

    /** A fresh, empty index sized for at least {@code maxEntries}. */
    protected abstract FingerprintIndex create(long maxEntries) throws Exception;

    protected final FingerprintIndex newIndex(long maxEntries) throws Exception {
        FingerprintIndex index = create(maxEntries);
        opened.add(index);
        return index;
    }

    @AfterEach
    void closeAll() {
        opened.forEach(FingerprintIndex::close);
    }

    static byte[] fingerprint(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        ByteBuffer b = ByteBuffer.allocate(FINGERPRINT_BYTES);
        for (int i = 0; i < 4; i++) {
            b.putLong(r.nextLong());
        }
        return b.array();
    }

    static long seed() {
        String given = System.getProperty("tamp.seed");
        return given != null ? Long.parseLong(given) : System.nanoTime();
    }

    @Test
    void getOnEmptyIndexReturnsNoExtent() throws Exception {
        FingerprintIndex index = newIndex(1_000);
        assertEquals(NO_EXTENT, index.get(fingerprint(1), 0));
        assertEquals(0, index.size());
    }

    @Test
    void putThenGetThenReplace() throws Exception {
        FingerprintIndex index = newIndex(1_000);
        byte[] a = fingerprint(1);
        byte[] b = fingerprint(2);
        index.put(a, 0, 42);
        assertEquals(42, index.get(a, 0));
        assertEquals(NO_EXTENT, index.get(b, 0));
        index.put(a, 0, Long.MAX_VALUE);
        assertEquals(Long.MAX_VALUE, index.get(a, 0));
        assertEquals(1, index.size());
    }

    @Test
    void putIfAbsentInsertsOnceAndReportsTheExisting() throws Exception {
        FingerprintIndex index = newIndex(1_000);
        byte[] a = fingerprint(3);
        assertEquals(NO_EXTENT, index.putIfAbsent(a, 0, 7));
        assertEquals(7, index.get(a, 0));
        assertEquals(7, index.putIfAbsent(a, 0, 8));
        assertEquals(7, index.get(a, 0));
        assertEquals(1, index.size());
        assertEquals(NO_EXTENT, index.putIfAbsent(fingerprint(4), 0, 9));
        assertEquals(2, index.size());
    }

    @Test
    void putCopiesTheFingerprint() throws Exception {
        FingerprintIndex index = newIndex(1_000);
        byte[] a = fingerprint(1);
        index.put(a, 0, 7);
        a[0] ^= 1;
        assertEquals(NO_EXTENT, index.get(a, 0));
        a[0] ^= 1;
        assertEquals(7, index.get(a, 0));
    }

    @Test
    void fingerprintsDifferingInLastByteAreDistinct() throws Exception {
        FingerprintIndex index = newIndex(1_000);
        byte[] a = new byte[FINGERPRINT_BYTES];
        byte[] b = new byte[FINGERPRINT_BYTES];
        b[FINGERPRINT_BYTES - 1] = 1;
        index.put(a, 0, 1);
        index.put(b, 0, 2);
        assertEquals(1, index.get(a, 0));
        assertEquals(2, index.get(b, 0));
    }

    @Test
    void removeOnlyWhenMappedToTheGivenExtent() throws Exception {
        FingerprintIndex index = newIndex(1_000);
        byte[] a = fingerprint(1);
        assertFalse(index.remove(a, 0, 5), "remove of an absent fingerprint");
        index.put(a, 0, 5);
        assertFalse(index.remove(a, 0, 6), "remove with a stale extent id");
        assertEquals(5, index.get(a, 0));
        assertEquals(1, index.size());
        assertTrue(index.remove(a, 0, 5));
        assertEquals(NO_EXTENT, index.get(a, 0));
        assertEquals(0, index.size());
        assertFalse(index.remove(a, 0, 5), "second remove");
    }

    @Test
    void sizeCountsDistinctFingerprints() throws Exception {
        FingerprintIndex index = newIndex(1_000);
        for (int i = 0; i < 100; i++) {
            index.put(fingerprint(i), 0, i);
        }
        for (int i = 0; i < 50; i++) {
            index.put(fingerprint(i), 0, i + 1000);
        }
        assertEquals(100, index.size());
        for (int i = 0; i < 10; i++) {
            assertTrue(index.remove(fingerprint(i), 0, i + 1000));
        }
        assertEquals(90, index.size());
    }

    @Test
    void forEachVisitsEveryEntryWithACopy() throws Exception {
        FingerprintIndex index = newIndex(1_000);
        Map<ByteBuffer, Long> expected = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            byte[] fp = fingerprint(i);
            index.put(fp, 0, i * 3L);
            expected.put(ByteBuffer.wrap(fp), i * 3L);
        }
        Map<ByteBuffer, Long> seen = new HashMap<>();
        index.forEach((fp, extentId) -> {
            assertEquals(FINGERPRINT_BYTES, fp.length);
            Long previous = seen.put(ByteBuffer.wrap(fp.clone()), extentId);
            assertEquals(null, previous, "visited twice");
            fp[0] ^= (byte) 0xFF; // must not reach the index
        });
        assertEquals(expected, seen);
        for (int i = 0; i < 300; i++) {
            assertEquals(i * 3L, index.get(fingerprint(i), 0));
        }
    }

    @Test
    void fingerprintsAtOffsetsInsideALargerArray() throws Exception {
        FingerprintIndex index = newIndex(1_000);
        int count = 20;
        int base = 7;
        byte[] buf = new byte[base + count * FINGERPRINT_BYTES + 5];
        new SplittableRandom(99).nextBytes(buf);
        for (int i = 0; i < count; i++) {
            index.put(buf, base + i * FINGERPRINT_BYTES, 100 + i);
        }
        assertEquals(count, index.size());
        for (int i = 0; i < count; i++) {
            int off = base + i * FINGERPRINT_BYTES;
            byte[] alone = java.util.Arrays.copyOfRange(buf, off, off + FINGERPRINT_BYTES);
            assertEquals(100 + i, index.get(alone, 0), "fingerprint " + i + " read back at offset 0");
            assertEquals(100 + i, index.get(buf, off), "fingerprint " + i + " read back in place");
        }
        // Overlapping windows are different fingerprints.
        assertEquals(NO_EXTENT, index.get(buf, base + 1));
        List<byte[]> visited = new ArrayList<>();
        index.forEach((fp, id) -> visited.add(fp));
        int first = base;
        assertTrue(visited.stream().anyMatch(fp -> java.util.Arrays.equals(
                fp, 0, FINGERPRINT_BYTES, buf, first, first + FINGERPRINT_BYTES)));
    }

    @Test
    void rejectsAFingerprintOutsideTheArray() throws Exception {
        FingerprintIndex index = newIndex(1_000);
        byte[] buf = new byte[40];
        assertThrows(IndexOutOfBoundsException.class, () -> index.get(buf, 9));
        assertThrows(IndexOutOfBoundsException.class, () -> index.put(buf, -1, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> index.remove(new byte[31], 0, 1));
        assertEquals(0, index.size());
    }

    @Test
    void randomOperationsMatchAHashMapOracle() throws Exception {
        long seed = seed();
        int ops = 100_000;
        int distinct = 30_000; // small pool: puts replace and removes hit often
        FingerprintIndex index = newIndex(distinct);
        Map<ByteBuffer, Long> oracle = new HashMap<>();
        SplittableRandom r = new SplittableRandom(seed);
        byte[] buf = new byte[3 * FINGERPRINT_BYTES];
        for (int op = 0; op < ops; op++) {
            int off = r.nextInt(2 * FINGERPRINT_BYTES + 1);
            byte[] fp = fingerprint(r.nextInt(distinct));
            System.arraycopy(fp, 0, buf, off, FINGERPRINT_BYTES);
            ByteBuffer key = ByteBuffer.wrap(fp);
            String where = "seed " + seed + " (-Dtamp.seed=" + seed + "), op " + op;
            int kind = r.nextInt(10);
            if (kind < 5) {
                long extentId = r.nextLong(Long.MAX_VALUE);
                index.put(buf, off, extentId);
                oracle.put(key, extentId);
            } else if (kind < 8) {
                Long expected = oracle.get(key);
                assertEquals(expected == null ? NO_EXTENT : expected, index.get(buf, off), where);
            } else {
                Long current = oracle.get(key);
                long extentId = current != null && r.nextBoolean() ? current : r.nextLong(1000);
                boolean expected = current != null && current == extentId;
                assertEquals(expected, index.remove(buf, off, extentId), where);
                if (expected) {
                    oracle.remove(key);
                }
            }
        }
        assertEquals(oracle.size(), index.size(), "size, seed " + seed);
        Map<ByteBuffer, Long> contents = new HashMap<>();
        index.forEach((fp, id) -> contents.put(ByteBuffer.wrap(fp), id));
        assertEquals(oracle, contents, "forEach contents, seed " + seed);
    }

    @Test
    void concurrentWritersOfDisjointSets() throws Exception {
        int threads = 4;
        int perThread = 20_000;
        FingerprintIndex index = newIndex(threads * perThread);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t * perThread;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = first; i < first + perThread; i++) {
                        index.put(fingerprint(i), 0, i);
                        // Readers and conditional removes race with the other writers.
                        assertEquals(i, index.get(fingerprint(i), 0));
                        assertFalse(index.remove(fingerprint(i), 0, -i - 2));
                    }
                    for (int i = first; i < first + perThread; i++) {
                        assertEquals(i, index.get(fingerprint(i), 0), "own entry " + i);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(threads * perThread, index.size());
        for (int i = 0; i < threads * perThread; i++) {
            assertEquals(i, index.get(fingerprint(i), 0), "entry " + i);
        }
    }

    @Test
    void getAllocatesNothing() throws Exception {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        assumeTrue(mx instanceof com.sun.management.ThreadMXBean,
                "per-thread allocation counters unavailable");
        com.sun.management.ThreadMXBean alloc = (com.sun.management.ThreadMXBean) mx;
        FingerprintIndex index = newIndex(10_000);
        byte[] fp = fingerprint(1);
        index.put(fp, 0, 1);
        byte[] missing = fingerprint(2);
        long sum = 0;
        for (int i = 0; i < 20_000; i++) {
            sum += index.get(fp, 0) + index.get(missing, 0);
        }
        int calls = 200_000;
        long before = alloc.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < calls / 2; i++) {
            sum += index.get(fp, 0) + index.get(missing, 0);
        }
        long bytes = alloc.getCurrentThreadAllocatedBytes() - before;
        assertEquals(0, sum, "each pair of lookups adds 1 + NO_EXTENT");
        // Any per-call object is at least 16 bytes; allow a little JIT and counter noise.
        assertTrue(bytes < calls / 4, bytes + " bytes allocated over " + calls + " get calls");
    }
}
