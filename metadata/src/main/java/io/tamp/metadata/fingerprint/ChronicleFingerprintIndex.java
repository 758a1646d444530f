package io.tamp.metadata.fingerprint;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ObjLongConsumer;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.hash.ChronicleHashCorruption;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapAbsentEntry;
import net.openhft.chronicle.map.MapEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link FingerprintIndex} on a persisted, memory-mapped Chronicle Map of {@code byte[32] -> Long}.
 *
 * <p>The hot path never goes through {@code byte[]} or {@code Long} objects: the fingerprint is
 * copied into a per-thread 32-byte store and the query runs on raw key bytes
 * ({@link ChronicleMap#queryContext(BytesStore, long, long)}); values are read and written as
 * raw 8-byte longs. Chronicle's per-segment locks make every call thread-safe.
 *
 * <p>Clean shutdown: {@link #close} fsyncs the map and then creates a {@code <file>.clean}
 * marker; {@link #open} removes it before handing out the index. With the marker present the
 * file is opened as is (tens of milliseconds); without it Chronicle's recovery runs, which scans
 * every segment and clears locks a crashed process left behind (about a second per million
 * entries). Entries written since the last fsync may be lost on power failure: the post-crash
 * scrub reconciles the index with the extent table.
 *
 * <p>Needs the JVM flags listed for Chronicle Map in {@code shared/DEPENDENCIES.md}.
 */
public final class ChronicleFingerprintIndex implements FingerprintIndex {

    private static final Logger LOG = LoggerFactory.getLogger(ChronicleFingerprintIndex.class);

    /** Stored in the file header; a recovered map with another name is not ours. */
    static final String MAP_NAME = "tamp-fingerprint-index";
    private static final int EXTENT_ID_BYTES = Long.BYTES;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final ChronicleMap<byte[], Long> map;
    private final Path file;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ChronicleFingerprintIndex(ChronicleMap<byte[], Long> map, Path file) {
        this.map = map;
        this.file = file;
    }

    /**
     * Creates the map at {@code file}, or opens the existing one: as is after a clean shutdown,
     * through Chronicle's recovery otherwise. Only one process may have the file open; recovery
     * in particular must not run while another process uses it.
     *
     * @param maxEntries sizing hint Chronicle needs up front; inserts far beyond it fail
     * @throws IOException if the file cannot be created, or exists but is not a fingerprint index
     */
    public static ChronicleFingerprintIndex open(Path file, long maxEntries) throws IOException {
        if (maxEntries <= 0) {
            throw new IllegalArgumentException("maxEntries must be positive: " + maxEntries);
        }
        ChronicleMapBuilder<byte[], Long> builder = ChronicleMapBuilder.of(byte[].class, Long.class)
                .name(MAP_NAME)
                .constantKeySizeBySample(new byte[FINGERPRINT_BYTES])
                .entries(maxEntries)
                .putReturnsNull(true)
                .removeReturnsNull(true);
        boolean exists = Files.exists(file) && Files.size(file) > 0;
        Path cleanMarker = cleanMarker(file);
        boolean recover = exists && !Files.exists(cleanMarker);
        if (recover) {
            LOG.warn("fingerprint index {} was not closed cleanly; recovering", file);
        }
        if (exists) {
            ChronicleHeaderCheck.check(file);
        }
        ChronicleMap<byte[], Long> map;
        try {
            // createPersistedTo opens an existing file without the recovery scan.
            map = recover
                    ? builder.recoverPersistedTo(file.toFile(), true, corruptionLogger(file))
                    : builder.createPersistedTo(file.toFile());
        } catch (IOException e) {
            throw new IOException("cannot open fingerprint index " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException | InternalError e) {
            // Chronicle reports an unreadable header with assorted runtime exceptions, and a
            // bad mapping as an InternalError from Unsafe; both mean the file is not usable.
            throw new IOException("not a fingerprint index, or corrupt: " + file + ": " + e, e);
        }
        checkShape(file, map);
        try {
            Files.deleteIfExists(cleanMarker);
            fsyncDirectory(file);
        } catch (IOException e) {
            map.close();
            throw e;
        }
        return new ChronicleFingerprintIndex(map, file);
    }

    static Path cleanMarker(Path file) {
        return file.resolveSibling(file.getFileName() + ".clean");
    }

    private static void fsyncDirectory(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static void checkShape(Path file, ChronicleMap<byte[], Long> map) throws IOException {
        if (!MAP_NAME.equals(map.name()) || map.keyClass() != byte[].class
                || map.valueClass() != Long.class) {
            String found = map.name() + " " + map.keyClass() + " -> " + map.valueClass();
            map.close();
            throw new IOException("not a fingerprint index: " + file + " holds " + found);
        }
    }

    private static ChronicleHashCorruption.Listener corruptionLogger(Path file) {
        return c -> LOG.warn("fingerprint index {} segment {}: {}", file, c.segmentIndex(),
                c.message(), c.exception());
    }

    @Override
    public long get(byte[] fp, int off) {
        Scratch s = SCRATCH.get().key(fp, off);
        try (ExternalMapQueryContext<byte[], Long, ?> c =
                     map.queryContext(s.key, 0, FINGERPRINT_BYTES)) {
            c.readLock().lock();
            MapEntry<byte[], Long> entry = c.entry();
            return entry == null ? NO_EXTENT : readExtentId(entry.value());
        }
    }

    @Override
    public long putIfAbsent(byte[] fp, int off, long extentId) {
        Scratch s = SCRATCH.get().key(fp, off).value(extentId);
        try (ExternalMapQueryContext<byte[], Long, ?> c =
                     map.queryContext(s.key, 0, FINGERPRINT_BYTES)) {
            c.updateLock().lock();
            MapEntry<byte[], Long> entry = c.entry();
            if (entry != null) {
                return readExtentId(entry.value());
            }
            try {
                c.absentEntry().doInsert(c.wrapValueBytesAsData(s.value, 0, EXTENT_ID_BYTES));
            } catch (IllegalStateException e) {
                // Chronicle refuses a segment's 65th overflow tier (about twice the sized entries)
                return FULL;
            }
            return NO_EXTENT;
        }
    }

    @Override
    public void put(byte[] fp, int off, long extentId) {
        Scratch s = SCRATCH.get().key(fp, off).value(extentId);
        try (ExternalMapQueryContext<byte[], Long, ?> c =
                     map.queryContext(s.key, 0, FINGERPRINT_BYTES)) {
            c.updateLock().lock();
            Data<Long> value = c.wrapValueBytesAsData(s.value, 0, EXTENT_ID_BYTES);
            MapEntry<byte[], Long> entry = c.entry();
            if (entry != null) {
                entry.doReplaceValue(value);
            } else {
                MapAbsentEntry<byte[], Long> absent = c.absentEntry();
                absent.doInsert(value);
            }
        }
    }

    @Override
    public boolean remove(byte[] fp, int off, long extentId) {
        Scratch s = SCRATCH.get().key(fp, off);
        try (ExternalMapQueryContext<byte[], Long, ?> c =
                     map.queryContext(s.key, 0, FINGERPRINT_BYTES)) {
            c.updateLock().lock();
            MapEntry<byte[], Long> entry = c.entry();
            if (entry == null || readExtentId(entry.value()) != extentId) {
                return false;
            }
            entry.doRemove();
            return true;
        }
    }

    @Override
    public long size() {
        return map.longSize();
    }

    @Override
    public void forEach(ObjLongConsumer<byte[]> visitor) {
        map.forEachEntry(e -> visitor.accept(
                e.key().getUsing(new byte[FINGERPRINT_BYTES]), readExtentId(e.value())));
    }

    /** Bytes of off-heap memory (the mapped file) the map uses; for per-block resident cost. */
    public long offHeapBytes() {
        return map.offHeapMemoryUsed();
    }

    /** Closes the map; only once it is fsynced does the clean-shutdown marker appear. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        map.close();
        try {
            // After munmap, fsync on the file writes back the pages dirtied through the mapping.
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.write(cleanMarker(file), new byte[0]);
            fsyncDirectory(file);
        } catch (IOException e) {
            // Not fatal: without the marker the next open runs recovery.
            LOG.warn("fingerprint index {}: clean-shutdown marker not written", file, e);
        }
    }

    private static long readExtentId(Data<Long> value) {
        return value.bytes().readLong(value.offset());
    }

    /** Per-thread key and value stores; Chronicle's own query contexts are per thread too. */
    private static final class Scratch {
        private final byte[] keyArray = new byte[FINGERPRINT_BYTES];
        final BytesStore<?, byte[]> key = BytesStore.wrap(keyArray);
        final BytesStore<?, byte[]> value = BytesStore.wrap(new byte[EXTENT_ID_BYTES]);

        Scratch key(byte[] fp, int off) {
            FingerprintIndex.checkFingerprint(fp, off);
            System.arraycopy(fp, off, keyArray, 0, FINGERPRINT_BYTES);
            return this;
        }

        Scratch value(long extentId) {
            // Written through Chronicle's own Bytes so the byte order matches its Long marshaller.
            value.writeLong(0, extentId);
            return this;
        }
    }
}
