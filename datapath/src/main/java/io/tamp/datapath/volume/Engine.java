package io.tamp.datapath.volume;

import io.tamp.datapath.pool.Pool;
import io.tamp.datapath.reduce.Reducer;
import io.tamp.datapath.store.SegmentTable;
import io.tamp.datapath.store.SegmentWriter;
import io.tamp.metadata.fingerprint.ChronicleFingerprintIndex;
import io.tamp.metadata.fingerprint.FingerprintIndex;
import io.tamp.metadata.store.Batch;
import io.tamp.metadata.store.ExtentRecord;
import io.tamp.metadata.store.Keys;
import io.tamp.metadata.store.MetadataStore;
import io.tamp.metadata.store.MetadataStore.Map;
import io.tamp.metadata.store.VolumeRecord;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.RocksIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The block engine: a pool of devices, the metadata store and the fingerprint index, and the
 * volumes carved from them. Volumes do the I/O; the engine owns the commit lock every metadata
 * change goes through, durability ({@link #flush}), accounting and the background work (segment
 * cleaner, unmap drain, periodic flush).
 */
public final class Engine implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    static final byte[] KEY_UNIQUE_BLOCKS = "stats.unique.blocks".getBytes(StandardCharsets.US_ASCII);
    static final byte[] KEY_UNIQUE_BYTES = "stats.unique.bytes".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEY_NEXT_EXTENT = "next.extent".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEY_NEXT_VOLUME = "next.volume".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEY_EPOCH = "epoch".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEY_CLEAN = "clean".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEY_POOL_UUID = "pool.uuid".getBytes(StandardCharsets.US_ASCII);
    /** META keys "volattr.&lt;volume id, 16 hex&gt;.&lt;name&gt;": see {@link #volumeAttribute}. */
    private static final String ATTRIBUTE_PREFIX = "volattr.";
    /** Segments only the cleaner may open, so cleaning can always make progress on a full pool. */
    static final int RESERVED_SEGMENTS = 2;
    public static final long MAX_VOLUME_BYTES = 1L << 50;

    final EngineConfig config;
    final Pool pool;
    final MetadataStore store;
    final FingerprintIndex index;
    final SegmentTable segments;
    final SegmentWriter writer;
    /** Every metadata change (block maps, extents, segments, counters) happens under this lock. */
    final ReentrantLock commitLock = new ReentrantLock();
    /** Readers hold it shared while they follow an extent to the device; freeing a segment takes it exclusively. */
    final ReentrantReadWriteLock segmentLifecycle = new ReentrantReadWriteLock();
    final BatchContext ctx;
    final Committer committer;
    final SegmentCleaner cleaner;
    final SnapshotCopy snapshotCopy;

    private final ConcurrentHashMap<String, Volume> byName = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Volume> byId = new ConcurrentHashMap<>();
    private final ScheduledExecutorService background;
    private final SecureRandom random = new SecureRandom();
    private final long recoveryMillis;
    private final boolean recoveredFromCrash;

    long nextExtentId;
    long epoch;
    private long nextVolumeId;
    volatile long uniqueBlocks;
    volatile long uniqueBytes;
    volatile long lastWriteNanos;
    private volatile boolean closed;
    private volatile Throwable failure;

    private Engine(EngineConfig config, Pool pool, MetadataStore store, FingerprintIndex index, long startNanos)
            throws IOException {
        this.config = config;
        this.pool = pool;
        this.store = store;
        this.index = index;
        checkPoolIdentity();
        this.segments = SegmentTable.load(store, pool.segmentCount(), pool.segmentBytes());
        this.writer = new SegmentWriter(pool, segments);
        this.ctx = new BatchContext(store);
        this.committer = new Committer(this);
        this.cleaner = new SegmentCleaner(this);
        this.snapshotCopy = new SnapshotCopy(this);
        nextExtentId = Math.max(1, store.counter(Map.META, KEY_NEXT_EXTENT));
        nextVolumeId = Math.max(1, store.counter(Map.META, KEY_NEXT_VOLUME));
        epoch = store.counter(Map.META, KEY_EPOCH);
        uniqueBlocks = store.counter(Map.META, KEY_UNIQUE_BLOCKS);
        uniqueBytes = store.counter(Map.META, KEY_UNIQUE_BYTES);
        boolean fresh = store.get(Map.META, KEY_CLEAN) == null;
        boolean wasClean = fresh || store.counter(Map.META, KEY_CLEAN) == 1;
        loadVolumes();
        List<Volume> halfCreated = new ArrayList<>();
        List<PendingUnmap> halfCreatedRanges = new ArrayList<>();
        try (Batch b = store.newBatch()) {
            for (int seg : segments.inState(SegmentTable.State.OPEN)) {
                segments.seal(seg, b); // a restart never appends after a tail it may not have written
            }
            for (Volume v : byId.values()) {
                if (v.record().state() == VolumeRecord.State.CREATING) {
                    LOG.warn("snapshot '{}' (id {}) of volume {} was being created when the engine stopped: "
                            + "releasing its partial copy", v.name(), v.id(), v.sourceId());
                    halfCreated.add(v);
                    halfCreatedRanges.add(markDeleting(v, b));
                }
            }
            b.put(Map.META, KEY_CLEAN, Keys.le64(0));
            store.commit(b);
        }
        for (int i = 0; i < halfCreated.size(); i++) {
            halfCreated.get(i).pending.add(halfCreatedRanges.get(i));
        }
        store.syncWal();
        recoveredFromCrash = !wasClean;
        if (!wasClean) {
            scrubFingerprintIndex();
        }
        recoveryMillis = (System.nanoTime() - startNanos) / 1_000_000;
        long snapshotCount = byId.values().stream().filter(v -> v.isSnapshot() && !v.deleted).count();
        LOG.info("engine open: {} volumes, {} snapshots, {} unique extents, {} of {} segments free, {} shutdown, "
                + "recovery took {} ms", byName.size(), snapshotCount, uniqueBlocks, segments.freeCount(),
                segments.segmentCount(),
                fresh ? "new pool, no" : wasClean ? "clean" : "unclean", recoveryMillis);
        if (config.background()) {
            background = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "tamp-background");
                t.setDaemon(true);
                return t;
            });
            background.scheduleWithFixedDelay(this::backgroundTick, 10, 10, TimeUnit.MILLISECONDS);
        } else {
            background = null;
        }
    }

    /** Opens the engine on config.dataDir(), creating the pool there on first start. */
    public static Engine open(EngineConfig config) throws IOException {
        long start = System.nanoTime();
        Path dir = config.dataDir();
        Files.createDirectories(dir);
        List<Path> devices = existingDevices(dir);
        Pool pool;
        if (devices.isEmpty()) {
            devices = new ArrayList<>();
            for (int i = 0; i < config.deviceCount(); i++) {
                devices.add(dir.resolve("dev-" + i));
            }
            pool = Pool.create(devices, config.deviceBytes(), config.segmentBytes());
            LOG.info("created pool {} on {} devices of {} bytes under {}", pool.poolUuid(), devices.size(),
                    config.deviceBytes(), dir);
        } else {
            pool = Pool.open(devices);
        }
        MetadataStore store = null;
        FingerprintIndex index = null;
        try {
            Pool p = pool;
            store = MetadataStore.open(dir.resolve("meta"), () -> {
                try {
                    p.sync();
                } catch (IOException e) {
                    LOG.error("pool sync before memtable flush failed", e);
                }
            });
            index = ChronicleFingerprintIndex.open(dir.resolve("fingerprints.cm"), config.fingerprintEntries());
            return new Engine(config, pool, store, index, start);
        } catch (IOException | RuntimeException e) {
            if (index != null) {
                index.close();
            }
            if (store != null) {
                store.close();
            }
            pool.close();
            throw e;
        }
    }

    static List<Path> existingDevices(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (var s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().matches("dev-\\d+")).sorted().forEach(out::add);
        }
        return out;
    }

    private void checkPoolIdentity() throws IOException {
        byte[] uuid = pool.poolUuid().toString().getBytes(StandardCharsets.US_ASCII);
        byte[] recorded = store.get(Map.META, KEY_POOL_UUID);
        if (recorded == null) {
            if (store.get(Map.META, KEY_NEXT_EXTENT) != null) {
                throw new IOException("metadata store has data but no pool identity: refusing to guess");
            }
            try (Batch b = store.newBatch()) {
                store.commit(b.put(Map.META, KEY_POOL_UUID, uuid));
            }
            store.syncWal();
        } else if (!java.util.Arrays.equals(recorded, uuid)) {
            throw new IOException("metadata store belongs to pool " + new String(recorded, StandardCharsets.US_ASCII)
                    + " but the devices are pool " + pool.poolUuid());
        }
    }

    private void loadVolumes() {
        List<PendingRecord> pending = new ArrayList<>();
        try (RocksIterator it = store.iterator(Map.PENDING_UNMAP)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] k = it.key();
                byte[] v = it.value();
                pending.add(new PendingRecord(Keys.getLong(k, 0), new PendingUnmap(Keys.getLong(k, 8),
                        Keys.getLong(v, 0), Keys.getLong(v, 8))));
            }
        }
        try (RocksIterator it = store.iterator(Map.VOLUMES)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                long id = Keys.getLong(it.key(), 0);
                VolumeRecord r = VolumeRecord.decode(id, it.value());
                Volume v = new Volume(this, r, store.counter(Map.VOLUME_STATS, Keys.u64(id)));
                v.highWaterLba = highestMappedLba(id) + 1;
                byId.put(id, v);
                if (r.state() == VolumeRecord.State.ACTIVE && !r.isSnapshot()) {
                    byName.put(r.name(), v);
                }
            }
        }
        for (PendingRecord p : pending) {
            Volume v = byId.get(p.volumeId);
            if (v != null) {
                v.pending.add(p.range);
            }
        }
    }

    private record PendingRecord(long volumeId, PendingUnmap range) {}

    /** The volume's highest LBA with a block-map entry, or -1. */
    private long highestMappedLba(long volumeId) {
        try (RocksIterator it = store.iterator(Map.BLOCKMAP)) {
            it.seekForPrev(Keys.blockKey(volumeId, Long.MAX_VALUE));
            if (it.isValid() && Keys.getLong(it.key(), 0) == volumeId) {
                return Keys.getLong(it.key(), 8);
            }
            return -1;
        }
    }

    /**
     * After an unclean stop the index may name extents whose creation was lost with the unflushed
     * metadata tail: drop every entry that does not point at a live extent with its fingerprint.
     */
    private void scrubFingerprintIndex() {
        long start = System.nanoTime();
        List<byte[]> stale = new ArrayList<>();
        List<Long> staleIds = new ArrayList<>();
        index.forEach((fp, id) -> {
            byte[] v = store.get(Map.EXTENTS, Keys.u64(id));
            if (v == null || !ExtentRecord.decode(v).fingerprintEquals(fp, 0)) {
                stale.add(fp);
                staleIds.add(id);
            }
        });
        for (int i = 0; i < stale.size(); i++) {
            index.remove(stale.get(i), 0, staleIds.get(i));
        }
        LOG.info("fingerprint index scrub after unclean shutdown: {} entries, {} stale removed, {} ms",
                index.size(), stale.size(), (System.nanoTime() - start) / 1_000_000);
    }

    // ---------------------------------------------------------------- catalog

    /** Creates a thin volume of sizeBytes (a positive multiple of 512). */
    public Volume createVolume(String name, long sizeBytes) {
        checkOpen();
        checkName(name);
        if (sizeBytes <= 0 || sizeBytes % Reducer.SECTOR_BYTES != 0 || sizeBytes > MAX_VOLUME_BYTES) {
            throw new IllegalArgumentException("volume size must be a positive multiple of 512 up to 2^50 bytes, got "
                    + sizeBytes);
        }
        commitLock.lock();
        try {
            if (byName.containsKey(name)) {
                throw new IllegalArgumentException("volume '" + name + "' already exists");
            }
            long id = nextVolumeId++;
            VolumeRecord r = new VolumeRecord(id, name, sizeBytes, System.currentTimeMillis(), random.nextLong(),
                    VolumeRecord.State.ACTIVE);
            try (Batch b = store.newBatch()) {
                b.put(Map.VOLUMES, Keys.u64(id), r.encode());
                b.put(Map.META, KEY_NEXT_VOLUME, Keys.le64(nextVolumeId));
                commitCatalog(b);
            }
            Volume v = new Volume(this, r, 0);
            byId.put(id, v);
            byName.put(name, v);
            return v;
        } finally {
            commitLock.unlock();
        }
    }

    /** The live volume with this name, or null; snapshots are not found here (see {@link #snapshot(Volume, String)}). */
    public Volume volume(String name) {
        return byName.get(name);
    }

    /** The live volumes (the host-visible kind, not snapshots), by id. */
    public List<Volume> volumes() {
        List<Volume> out = new ArrayList<>(byName.values());
        out.sort(Comparator.comparingLong(Volume::id));
        return out;
    }

    /** Grows a volume; shrinking is refused, and so is resizing a snapshot. */
    public void resizeVolume(Volume v, long newSizeBytes) {
        if (v.isSnapshot()) {
            throw new IllegalArgumentException("snapshots cannot be resized");
        }
        if (newSizeBytes < v.sizeBytes() || newSizeBytes % Reducer.SECTOR_BYTES != 0 || newSizeBytes > MAX_VOLUME_BYTES) {
            throw new IllegalArgumentException("a volume can only grow, to a multiple of 512 bytes");
        }
        commitLock.lock();
        try {
            VolumeRecord r = v.record().withSize(newSizeBytes);
            try (Batch b = store.newBatch()) {
                commitCatalog(b.put(Map.VOLUMES, Keys.u64(v.id()), r.encode()));
            }
            v.setRecord(r);
        } finally {
            commitLock.unlock();
        }
    }

    /**
     * Renames a volume; refused when another volume has the name. A snapshot's name must be unique
     * among its source's snapshots only.
     */
    public void renameVolume(Volume v, String newName) {
        checkName(newName);
        commitLock.lock();
        try {
            if (v.deleted) {
                throw new IllegalStateException("volume " + v.name() + " is deleted");
            }
            if (newName.equals(v.name())) {
                return;
            }
            if (v.isSnapshot() ? snapshotNamed(v.sourceId(), newName) != null : byName.containsKey(newName)) {
                throw new IllegalArgumentException((v.isSnapshot() ? "snapshot '" : "volume '") + newName
                        + "' already exists");
            }
            VolumeRecord r = v.record().withName(newName);
            try (Batch b = store.newBatch()) {
                commitCatalog(b.put(Map.VOLUMES, Keys.u64(v.id()), r.encode()));
            }
            if (!v.isSnapshot()) {
                byName.remove(v.name(), v);
            }
            v.setRecord(r);
            if (!v.isSnapshot()) {
                byName.put(newName, v);
            }
        } finally {
            commitLock.unlock();
        }
    }

    private static void checkName(String name) {
        if (name == null || name.isBlank() || name.length() > 255 || name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("volume name must be 1..255 printable characters");
        }
    }

    /** The live volume with this id, or null; snapshots are not volumes here (see {@link #snapshot(long)}). */
    public Volume volume(long id) {
        Volume v = byId.get(id);
        return v == null || v.deleted || v.isSnapshot() ? null : v;
    }

    /**
     * Deletes a volume or a snapshot. Metadata-only in the foreground: it disappears at once and the
     * background drain releases its blocks (for a snapshot: its references) at a bounded rate. A
     * volume that has snapshots is refused with IllegalStateException; see
     * {@link #deleteVolume(Volume, boolean)}.
     */
    public void deleteVolume(Volume v) {
        deleteVolume(v, false);
    }

    /**
     * Deletes a volume or a snapshot; with withSnapshots a volume's snapshots go with it, in the
     * same durable catalog commit, else a volume that has snapshots is refused.
     */
    public void deleteVolume(Volume v, boolean withSnapshots) {
        commitLock.lock();
        try {
            if (v.deleted) {
                return;
            }
            List<Volume> gone = new ArrayList<>(v.isSnapshot() ? List.of() : snapshots(v));
            if (!gone.isEmpty() && !withSnapshots) {
                throw new IllegalStateException("volume " + v.name() + " has snapshots "
                        + gone.stream().map(Volume::name).toList() + ": delete them first, or delete it with them");
            }
            gone.add(v);
            List<PendingUnmap> ranges = new ArrayList<>(gone.size());
            try (Batch b = store.newBatch()) {
                for (Volume g : gone) {
                    ranges.add(markDeleting(g, b));
                }
                commitCatalog(b);
            }
            for (int i = 0; i < gone.size(); i++) {
                gone.get(i).pending.add(ranges.get(i));
            }
        } finally {
            commitLock.unlock();
        }
    }

    /**
     * Puts v's DELETING record, a pending unmap range over all of it (with a new epoch, newer than
     * every entry it has) and the removal of its attributes into b; the caller adds the returned
     * range to v.pending once b is committed. Under the commit lock.
     */
    private PendingUnmap markDeleting(Volume v, Batch b) {
        v.deleted = true;
        byName.remove(v.name(), v);
        long e = ++epoch;
        PendingUnmap range = new PendingUnmap(e, 0, Long.MAX_VALUE);
        VolumeRecord r = v.record().withState(VolumeRecord.State.DELETING);
        b.put(Map.VOLUMES, Keys.u64(v.id()), r.encode());
        b.put(Map.PENDING_UNMAP, Keys.pendingKey(v.id(), e), range.encode());
        b.put(Map.META, KEY_EPOCH, Keys.le64(epoch));
        deleteAttributes(b, v.id());
        v.setRecord(r);
        return range;
    }

    // ---------------------------------------------------------------- snapshots

    /**
     * Takes a read-only, point-in-time snapshot of source: it holds every write acknowledged before
     * this call and none after. It shares source's extents (no data is copied) but copies its block
     * map under the commit lock, so it costs O(mapped blocks) metadata work while writes wait.
     * Durable on return. The name must be unique among source's snapshots (volumes and other
     * volumes' snapshots may share it).
     *
     * @throws IllegalArgumentException for a bad or taken name, or when source is itself a snapshot
     * @throws IllegalStateException    when source is deleted or the engine has failed (also when
     *                                  the copy fails midway: the engine then stops until a restart)
     */
    public Volume createSnapshot(Volume source, String name) {
        checkOpen();
        checkName(name);
        if (source.isSnapshot()) {
            throw new IllegalArgumentException("'" + source.name() + "' is a snapshot: snapshots of snapshots are not supported");
        }
        awaitWriteBehind(); // a snapshot holds every write acknowledged before it was asked for
        commitLock.lock();
        try {
            checkOpen();
            if (source.deleted) {
                throw new IllegalStateException("volume " + source.name() + " is deleted");
            }
            if (snapshotNamed(source.id(), name) != null) {
                throw new IllegalArgumentException("volume '" + source.name() + "' already has a snapshot '" + name + "'");
            }
            long id = nextVolumeId++;
            VolumeRecord r = new VolumeRecord(id, name, source.sizeBytes(), System.currentTimeMillis(),
                    random.nextLong(), VolumeRecord.State.CREATING, VolumeRecord.Kind.SNAPSHOT, source.id());
            Volume snapshot;
            try (Batch b = store.newBatch()) {
                b.put(Map.META, KEY_NEXT_VOLUME, Keys.le64(nextVolumeId));
                snapshot = snapshotCopy.copy(source, r, b);
            } catch (IOException | RuntimeException e) {
                fail(e); // batches may be committed: memory and the store are apart until a restart
                throw new IllegalStateException("snapshot of " + source.name() + " failed: " + e.getMessage(), e);
            }
            byId.put(id, snapshot);
            return snapshot;
        } finally {
            commitLock.unlock();
        }
    }

    /** source's live snapshots, oldest first (empty for a snapshot). */
    public List<Volume> snapshots(Volume source) {
        List<Volume> out = new ArrayList<>();
        for (Volume v : byId.values()) {
            if (!v.deleted && v.isSnapshot() && v.sourceId() == source.id()) {
                out.add(v);
            }
        }
        out.sort(Comparator.comparingLong(Volume::id));
        return out;
    }

    /** source's live snapshot with this name, or null. */
    public Volume snapshot(Volume source, String name) {
        return snapshotNamed(source.id(), name);
    }

    /** The live snapshot with this id, or null (volumes are found by {@link #volume(long)}). */
    public Volume snapshot(long id) {
        Volume v = byId.get(id);
        return v == null || v.deleted || !v.isSnapshot() ? null : v;
    }

    private Volume snapshotNamed(long sourceId, String name) {
        for (Volume v : byId.values()) {
            if (!v.deleted && v.isSnapshot() && v.sourceId() == sourceId && v.name().equals(name)) {
                return v;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- volume attributes

    private static byte[] attributeKey(long volumeId, String name) {
        return (ATTRIBUTE_PREFIX + String.format("%016x.", volumeId) + name).getBytes(StandardCharsets.UTF_8);
    }

    /** A small named attribute of a volume, or null; frontends keep state here that must outlive the process. */
    public byte[] volumeAttribute(Volume v, String name) {
        checkOpen();
        return store.get(Map.META, attributeKey(v.id(), name));
    }

    /** Sets (or with null removes) a volume attribute; durable on return, gone with the volume. */
    public void putVolumeAttribute(Volume v, String name, byte[] value) {
        checkOpen();
        commitLock.lock();
        try {
            if (v.deleted) {
                throw new IllegalStateException("volume " + v.name() + " is deleted");
            }
            try (Batch b = store.newBatch()) {
                byte[] key = attributeKey(v.id(), name);
                commitCatalog(value == null ? b.delete(Map.META, key) : b.put(Map.META, key, value));
            }
        } finally {
            commitLock.unlock();
        }
    }

    // ---------------------------------------------------------------- controller records

    private static final String CONTROLLER_PREFIX = "ctl.";

    /**
     * The controller's own durable records under a key prefix (the management API keeps hosts,
     * mappings and users here), sorted by key, prefix stripped.
     */
    public java.util.SortedMap<String, byte[]> controllerRecords(String prefix) {
        checkOpen();
        byte[] p = (CONTROLLER_PREFIX + prefix).getBytes(StandardCharsets.UTF_8);
        java.util.TreeMap<String, byte[]> out = new java.util.TreeMap<>();
        try (RocksIterator it = store.iterator(Map.META)) {
            for (it.seek(p); it.isValid() && startsWith(it.key(), p); it.next()) {
                out.put(new String(it.key(), StandardCharsets.UTF_8).substring(CONTROLLER_PREFIX.length()), it.value());
            }
        }
        return out;
    }

    /** Puts (or, for a null value, removes) controller records in one atomic, durable commit. */
    public void putControllerRecords(java.util.Map<String, byte[]> changes) {
        checkOpen();
        commitLock.lock();
        try (Batch b = store.newBatch()) {
            for (var e : changes.entrySet()) {
                byte[] key = (CONTROLLER_PREFIX + e.getKey()).getBytes(StandardCharsets.UTF_8);
                if (e.getValue() == null) {
                    b.delete(Map.META, key);
                } else {
                    b.put(Map.META, key, e.getValue());
                }
            }
            commitCatalog(b);
        } finally {
            commitLock.unlock();
        }
    }

    private void deleteAttributes(Batch b, long volumeId) {
        byte[] prefix = (ATTRIBUTE_PREFIX + String.format("%016x.", volumeId)).getBytes(StandardCharsets.UTF_8);
        try (RocksIterator it = store.iterator(Map.META)) {
            for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
                b.delete(Map.META, it.key());
            }
        }
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && java.util.Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    /**
     * Commits a catalog change and makes it durable before returning: an admin's create, resize or
     * delete must not vanish in a crash. Devices first, then the WAL, as in {@link #flush}.
     */
    private void commitCatalog(Batch b) {
        store.commit(b);
        syncCatalog();
    }

    /** Makes every committed batch durable, devices first; under the commit lock. */
    void syncCatalog() {
        try {
            writer.drain();
            pool.sync();
        } catch (IOException e) {
            fail(e);
            throw new IllegalStateException("device sync failed: " + e.getMessage(), e);
        }
        store.syncWal();
    }

    /** Called by the drain once a deleting volume has no block-map entries left. */
    void forgetVolume(Volume v, Batch b) {
        b.delete(Map.VOLUMES, Keys.u64(v.id()));
        b.delete(Map.VOLUME_STATS, Keys.u64(v.id()));
        byId.remove(v.id());
    }

    Iterable<Volume> allVolumes() {
        return byId.values();
    }

    // ---------------------------------------------------------------- durability

    private final ReentrantLock flushLock = new ReentrantLock();
    private long flushesStarted;
    private volatile long flushesDone;

    /**
     * Makes every write completed before this call durable: devices first, then the metadata WAL,
     * so no durable metadata references bytes that are not. Concurrent callers share one flush.
     */
    public IoStatus flush() {
        if (failure != null || closed) {
            return IoStatus.IO_ERROR;
        }
        awaitWriteBehind(); // acknowledged writes whose last sub-batch is still queued
        if (failure != null) {
            return IoStatus.IO_ERROR;
        }
        long wanted;
        synchronized (this) {
            wanted = flushesStarted + 1;
        }
        flushLock.lock();
        try {
            if (flushesDone >= wanted) {
                return IoStatus.OK;
            }
            commitLock.lock();
            long mine;
            try {
                synchronized (this) {
                    mine = ++flushesStarted;
                }
                writer.drain();
                pool.sync();
                store.syncWal();
            } finally {
                commitLock.unlock();
            }
            flushesDone = mine;
            return IoStatus.OK;
        } catch (IOException | RuntimeException e) {
            fail(e);
            return IoStatus.IO_ERROR;
        } finally {
            flushLock.unlock();
        }
    }

    /** A device or metadata failure mid-commit leaves memory and disk possibly apart: stop taking I/O. */
    void fail(Throwable t) {
        if (failure == null) {
            failure = t;
            LOG.error("engine failed; restart recovers to the last durable state", t);
        }
    }

    boolean failed() {
        return failure != null || closed;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("engine closed");
        }
        if (failure != null) {
            throw new IllegalStateException("engine failed: " + failure.getMessage(), failure);
        }
    }

    // ---------------------------------------------------------------- commit pipeline

    /** Runs the metadata side of large writes while their callers reduce the next sub-batch. */
    private final java.util.concurrent.ExecutorService commitThread = new java.util.concurrent.ThreadPoolExecutor(
            1, 1, 0, TimeUnit.MILLISECONDS, new SpinningQueue(), r -> {
                Thread t = new Thread(r, "tamp-commit");
                t.setDaemon(true);
                return t;
            });

    /**
     * How long a pipeline hand-off spins before it sleeps. A sleeping thread takes tens of
     * microseconds to wake on a virtual machine, as long as a 64-block commit's slack; spinning
     * this long took single-writer 1 MiB writes from 149k-154k to 163k-165k blocks/s.
     */
    static final long SPIN_NANOS = 30_000;

    /** Spins until done holds or {@link #SPIN_NANOS} have passed. */
    private static void spinUntil(java.util.function.BooleanSupplier done) {
        long deadline = System.nanoTime() + SPIN_NANOS;
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    /** A work queue whose taker spins briefly before it sleeps: a sub-batch usually follows within microseconds. */
    private static final class SpinningQueue extends java.util.concurrent.LinkedBlockingQueue<Runnable> {
        @Override
        public Runnable take() throws InterruptedException {
            spinUntil(() -> !isEmpty());
            Runnable r = poll();
            return r != null ? r : super.take();
        }
    }

    java.util.concurrent.Future<IoStatus> submitCommit(java.util.concurrent.Callable<IoStatus> commit) {
        return commitThread.submit(commit);
    }

    /** Write-behind commits queued and not yet run (see Volume#pipeline). */
    final java.util.concurrent.atomic.AtomicInteger writeBehindQueued = new java.util.concurrent.atomic.AtomicInteger();
    /** Test seam: runs on the commit thread before each write-behind commit. */
    volatile Runnable beforeWriteBehind;

    /**
     * Whether a large write may be acknowledged before its last sub-batch commits: only while a
     * quarter of the pool is free, so that commit cannot find the pool full (it would take more
     * than that quarter to be written within one commit's time).
     */
    boolean writeBehindAllowed() {
        return !failed() && segments.freeCount() >= Math.max(4 * RESERVED_SEGMENTS, segments.segmentCount() / 4);
    }

    /**
     * Queues a commit whose write is acknowledged before it runs (see Volume#pipeline). A refusal
     * then could only be reported as lost data, so anything but OK or a deleted volume stops the
     * engine (a restart recovers to the last flush).
     */
    java.util.concurrent.Future<IoStatus> submitWriteBehind(java.util.concurrent.Callable<IoStatus> commit) {
        writeBehindQueued.incrementAndGet();
        try {
            return commitThread.submit(() -> {
                try {
                    Runnable hook = beforeWriteBehind;
                    if (hook != null) {
                        hook.run();
                    }
                    IoStatus s = commit.call();
                    if (!s.ok() && s != IoStatus.NO_VOLUME && failure == null) {
                        fail(new IllegalStateException("an acknowledged write-behind commit failed: " + s));
                    }
                    return s;
                } finally {
                    writeBehindQueued.decrementAndGet();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            writeBehindQueued.decrementAndGet();
            throw e;
        }
    }

    /**
     * Waits until every write-behind commit queued so far has run: the commit thread runs its
     * queue in order, so waiting for an empty task queued now is enough. Not on the commit thread,
     * not under the commit lock.
     */
    void awaitWriteBehind() {
        if (writeBehindQueued.get() == 0) {
            return;
        }
        try {
            await(commitThread.submit(() -> IoStatus.OK));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: the commit thread runs what was queued before it stops
        }
    }

    IoStatus await(java.util.concurrent.Future<IoStatus> f) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    spinUntil(f::isDone);
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the commit is already under way: its outcome must be reported
                } catch (java.util.concurrent.ExecutionException e) {
                    fail(e.getCause());
                    return IoStatus.IO_ERROR;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---------------------------------------------------------------- background

    private long lastFlushNanos = System.nanoTime();

    private void backgroundTick() {
        if (failed()) {
            return;
        }
        try {
            committer.drainStep(config.drainBlocksPerTick());
            cleaner.step(idle());
            if (config.flushIntervalMs() > 0
                    && System.nanoTime() - lastFlushNanos > TimeUnit.MILLISECONDS.toNanos(config.flushIntervalMs())) {
                flush();
                lastFlushNanos = System.nanoTime();
            }
        } catch (RuntimeException | IOException e) {
            fail(e);
        }
    }

    private boolean idle() {
        return System.nanoTime() - lastWriteNanos > TimeUnit.SECONDS.toNanos(1);
    }

    /**
     * Runs the unmap drain and the cleaner until no work is left (tests, tools, {@code import}).
     * With idle=true the cleaner compacts as it would when the host is quiet.
     */
    public void settle(boolean idleCleaning) throws IOException {
        while (committer.drainStep(Integer.MAX_VALUE)) {
            // drain everything
        }
        while (cleaner.step(idleCleaning)) {
            // clean until nothing qualifies
        }
        flush();
    }

    // ---------------------------------------------------------------- accounting

    /**
     * The pool's capacity figures. Cheap without snapshots; with snapshots it walks their block maps
     * (O(blocks they map), on a point-in-time view, without holding the commit lock) to find the
     * bytes only snapshots hold.
     */
    public SpaceReport space() {
        return space(0);
    }

    /** The last snapshot-only byte count, the snapshots it covered and when (under snapshotPhysicalLock). */
    private final Object snapshotPhysicalLock = new Object();
    private long snapshotPhysicalBytes;
    private List<Long> snapshotPhysicalOf = List.of();
    private long snapshotPhysicalAtNanos;

    /**
     * The space report, with the one costly figure — the bytes only snapshots hold, a walk of
     * every snapshot's block map (about 0.4 s per GiB of snapshot data) — reused when it was
     * computed less than maxSnapshotAgeMillis ago for the same set of snapshots (it then misses
     * what overwrites of their sources changed since). Every other figure is current. Pollers
     * (the API, Prometheus scrapes) pass a bound; {@link #space()} is always exact.
     */
    public SpaceReport space(long maxSnapshotAgeMillis) {
        long logicalProvisioned = 0;
        long mappedBlocks = 0;
        for (Volume v : byName.values()) {
            logicalProvisioned += v.sizeBytes();
            mappedBlocks += v.mappedBlocks();
        }
        long pendingBlocks = 0;
        for (Volume v : byId.values()) {
            pendingBlocks += v.pending.size();
        }
        long written;
        long snapshotBlocks = 0;
        List<Volume> snapshots = new ArrayList<>();
        MetadataStore.View view = null;
        commitLock.lock();
        try {
            written = segments.totalWritten();
            for (Volume v : byId.values()) {
                if (v.isSnapshot() && !v.deleted) {
                    snapshots.add(v);
                    snapshotBlocks += v.mappedBlocks();
                }
            }
            if (!snapshots.isEmpty()) {
                view = store.view(); // a snapshot's map changes only under this lock: the view matches the counts
            }
        } finally {
            commitLock.unlock();
        }
        long snapshotOnly = 0;
        if (view != null) {
            try (MetadataStore.View v = view) {
                snapshotOnly = snapshotOnlyBytes(v, snapshots, maxSnapshotAgeMillis);
            }
        }
        return SpaceReport.of(logicalProvisioned, mappedBlocks * Reducer.BLOCK_BYTES, uniqueBlocks, uniqueBytes,
                written, store.diskBytes(), (long) pool.segmentCount() * pool.segmentBytes(),
                (long) segments.freeCount() * pool.segmentBytes(), pendingBlocks,
                snapshotBlocks * Reducer.BLOCK_BYTES, snapshotOnly);
    }

    private long snapshotOnlyBytes(MetadataStore.View view, List<Volume> snapshots, long maxAgeMillis) {
        List<Long> ids = snapshots.stream().map(Volume::id).sorted().toList();
        synchronized (snapshotPhysicalLock) { // one walk at a time; concurrent pollers share its result
            long now = System.nanoTime();
            if (maxAgeMillis > 0 && ids.equals(snapshotPhysicalOf)
                    && now - snapshotPhysicalAtNanos < maxAgeMillis * 1_000_000) {
                return snapshotPhysicalBytes;
            }
            snapshotPhysicalBytes = SnapshotCopy.snapshotOnlyBytes(view, snapshots);
            snapshotPhysicalOf = ids;
            snapshotPhysicalAtNanos = System.nanoTime();
            return snapshotPhysicalBytes;
        }
    }

    /**
     * The space one volume or snapshot uses, from a walk of its block map. The walk reads a
     * point-in-time view taken under the commit lock (with the volume's pending unmap ranges of
     * that moment) and runs outside it, so host writes do not wait for it: it is O(mapped blocks).
     */
    public VolumeSpace volumeSpace(Volume v) {
        MetadataStore.View view;
        List<PendingUnmap> pending;
        commitLock.lock();
        try {
            checkOpen();
            view = store.view();
            pending = List.copyOf(v.pending);
        } finally {
            commitLock.unlock();
        }
        try (MetadataStore.View snapshot = view) {
            java.util.HashMap<Long, Long> refs = new java.util.HashMap<>();
            long mapped = 0;
            try (RocksIterator it = snapshot.iterator(Map.BLOCKMAP)) {
                for (it.seek(Keys.blockKey(v.id(), 0)); it.isValid(); it.next()) {
                    byte[] k = it.key();
                    if (Keys.getLong(k, 0) != v.id()) {
                        break;
                    }
                    long extent = BlockMapEntry.extentId(it.value());
                    if (extent == BlockMapEntry.ZERO || Volume.shadowed(pending, Keys.getLong(k, 8), BlockMapEntry.epoch(it.value()))) {
                        continue;
                    }
                    mapped++;
                    refs.merge(extent, 1L, Long::sum);
                }
            }
            long unique = 0;
            long exclusive = 0;
            double attributed = 0;
            List<Long> ids = new ArrayList<>(refs.keySet());
            for (int from = 0; from < ids.size(); from += 4096) {
                List<byte[]> keys = new ArrayList<>();
                for (long id : ids.subList(from, Math.min(ids.size(), from + 4096))) {
                    keys.add(Keys.u64(id));
                }
                List<byte[]> records = snapshot.multiGet(Map.EXTENTS, keys);
                List<byte[]> counts = snapshot.multiGet(Map.REFCOUNTS, keys);
                for (int i = 0; i < keys.size(); i++) {
                    if (records.get(i) == null) {
                        continue; // fsck reports it; the report counts what exists
                    }
                    long refsHere = refs.get(ids.get(from + i));
                    long length = ExtentRecord.decode(records.get(i)).length();
                    long refcount = BatchContext.refcountOf(counts.get(i));
                    unique += length;
                    attributed += (double) length * refsHere / Math.max(refcount, refsHere);
                    if (refcount == refsHere) {
                        exclusive += length;
                    }
                }
            }
            long logical = mapped * Reducer.BLOCK_BYTES;
            long uniqueLogical = (long) refs.size() * Reducer.BLOCK_BYTES;
            return new VolumeSpace(v.name(), v.sizeBytes(), logical, refs.size(), unique, exclusive, attributed,
                    SpaceReport.ratio(logical, uniqueLogical), SpaceReport.ratio(uniqueLogical, unique),
                    SpaceReport.ratio(logical, unique));
        }
    }

    public long recoveryMillis() {
        return recoveryMillis;
    }

    public boolean recoveredFromCrash() {
        return recoveredFromCrash;
    }

    /** Why the engine stopped taking I/O, or null while it is healthy. */
    public String failureMessage() {
        Throwable f = failure;
        return f == null ? null : String.valueOf(f.getMessage());
    }

    /** Whether a deleted volume's blocks have all been released (its delete has finished in the background). */
    public boolean released(long volumeId) {
        return !byId.containsKey(volumeId);
    }

    /** Segments the cleaner has freed since open. */
    public long cleanerSegmentsFreed() {
        return cleaner.segmentsFreed;
    }

    /** Bytes of live extents the cleaner has relocated since open. */
    public long cleanerBytesMoved() {
        return cleaner.bytesMoved;
    }

    public Pool pool() {
        return pool;
    }

    public MetadataStore metadata() {
        return store;
    }

    public FingerprintIndex fingerprintIndex() {
        return index;
    }

    public SegmentWriter segmentWriter() {
        return writer;
    }

    public SegmentTable segmentTable() {
        return segments;
    }

    public long uniqueBlocks() {
        return uniqueBlocks;
    }

    public long uniqueBytes() {
        return uniqueBytes;
    }

    /** Runs action with the commit lock held, so nothing changes under it (fsck on a live engine). */
    public <T> T quiesced(java.util.function.Supplier<T> action) {
        awaitWriteBehind();
        commitLock.lock();
        try {
            return action.get();
        } finally {
            commitLock.unlock();
        }
    }

    // ---------------------------------------------------------------- close

    /** Clean shutdown: stop background work, make everything durable, mark the store clean. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        if (background != null) {
            background.shutdown();
            try {
                background.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        commitThread.shutdown();
        try {
            commitThread.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            // closing RocksDB writes its WAL buffer: never let it reference bytes not on the device
            commitLock.lock();
            try {
                writer.drain();
            } catch (IOException e) {
                LOG.error("could not put the segment buffer on the device while closing a failed engine", e);
            } finally {
                commitLock.unlock();
            }
        }
        try {
            if (failure == null) {
                commitLock.lock();
                try (Batch b = store.newBatch()) {
                    writer.sealCurrent(b);
                    writer.drain(); // the sealed tail is still on its way to the device
                    store.commit(b);
                    pool.sync();
                    store.syncWal();
                    store.flushMemtables();
                    try (Batch c = store.newBatch()) {
                        store.commit(c.put(Map.META, KEY_CLEAN, Keys.le64(1)));
                    }
                    store.syncWal();
                } finally {
                    commitLock.unlock();
                }
            }
        } finally {
            closed = true;
            writer.close();
            index.close();
            store.close();
            pool.close();
        }
    }

    /**
     * Simulates a crash for tests: closes handles without syncing or marking the store clean.
     * RocksDB's close writes its buffered WAL, so the segment buffer is put on the device first —
     * the state a kill leaves when it strikes after the last segment write (CrashTest kills a real
     * process at arbitrary moments).
     */
    public void abandon() throws IOException {
        commitLock.lock();
        try {
            writer.drain();
        } finally {
            commitLock.unlock();
        }
        closed = true;
        commitThread.shutdownNow();
        if (background != null) {
            background.shutdownNow();
        }
        writer.close();
        index.close();
        store.close();
        pool.close();
    }

    // helpers used by Committer / SegmentCleaner under the commit lock

    private boolean indexFullLogged;

    /**
     * A unique block found no room in the fingerprint index: it is stored all the same, without an
     * entry, so later copies of it are not deduplicated against it. Writes go on; the log says so once.
     */
    void noteIndexFull() {
        if (!indexFullLogged) {
            indexFullLogged = true;
            LOG.warn("fingerprint index full at {} entries (sized for {}): new unique blocks are stored without "
                    + "deduplication until entries are freed", index.size(), config.fingerprintEntries());
        }
    }
    void persistCounters(Batch b) {
        b.put(Map.META, KEY_NEXT_EXTENT, Keys.le64(nextExtentId));
        b.put(Map.META, KEY_EPOCH, Keys.le64(epoch));
    }

    Volume volumeById(long id) {
        return byId.get(id);
    }

    UUID poolUuid() {
        return pool.poolUuid();
    }
}
