package io.tamp.metadata.store;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.AbstractEventListener;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushJobInfo;
import org.rocksdb.FlushOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;
import org.rocksdb.UInt64AddOperator;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteOptions;

/**
 * The engine's persistent maps in one RocksDB instance, one column family per map.
 *
 * <p>Durability contract: {@link #commit} hands a batch to RocksDB with the WAL buffered in the
 * process ({@code manual_wal_flush}); nothing of it reaches the disk before {@link #syncWal}. The
 * engine calls {@code syncWal} only after the pool devices are synced, so metadata never becomes
 * durable ahead of the extent bytes it references. A memtable flush (which writes SST files on its
 * own schedule) first calls the {@code beforeMemtableFlush} hook, which the engine points at a pool sync.
 */
public final class MetadataStore implements Closeable {
    /** Column families; the ones backed by a counter use RocksDB's uint64add merge operator. */
    public enum Map {
        META(true), VOLUMES(false), BLOCKMAP(false), EXTENTS(false), REFCOUNTS(true),
        SEGMENTS(false), SEGMENT_LIVE(true), SEGMENT_EXTENTS(false), PENDING_UNMAP(false), VOLUME_STATS(true);

        final boolean counter;

        Map(boolean counter) {
            this.counter = counter;
        }

        byte[] cfName() {
            return name().toLowerCase().getBytes();
        }
    }

    static {
        RocksDB.loadLibrary();
    }

    private final RocksDB db;
    private final List<ColumnFamilyHandle> handles;
    private final DBOptions dbOptions;
    private final List<ColumnFamilyOptions> cfOptions = new ArrayList<>();
    private final WriteOptions asyncWrite = new WriteOptions().setSync(false);
    private final ReadOptions readOptions = new ReadOptions();
    private final Path dir;
    /** One LRU cache for all column families: extent and refcount lookups of overwrites and unmaps hit it. */
    private final org.rocksdb.Cache blockCache = new org.rocksdb.LRUCache(64L << 20);
    /** Memtable size per column family; RocksDB switches memtables (and writes the WAL) when one fills. */
    static final long WRITE_BUFFER_BYTES = 64L << 20;
    /** Batch bytes committed since {@link #switchFullMemtables} last looked at the memtables. */
    private final java.util.concurrent.atomic.AtomicLong bytesSinceCheck =
            new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE / 2);

    private MetadataStore(Path dir, Runnable beforeMemtableFlush) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        dbOptions = new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setManualWalFlush(true)
                .setWalRecoveryMode(WALRecoveryMode.PointInTimeRecovery)
                .setMaxBackgroundJobs(2)
                // the engine commits from one thread at a time (its commit lock): plain skiplist inserts are cheaper
                .setAllowConcurrentMemtableWrite(false)
                .setEnableWriteThreadAdaptiveYield(false)
                .setListeners(List.of(new AbstractEventListener(AbstractEventListener.EnabledEventCallback.ON_FLUSH_BEGIN) {
                    @Override
                    public void onFlushBegin(RocksDB db, FlushJobInfo info) {
                        beforeMemtableFlush.run();
                    }
                }));
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, newCfOptions(false)));
        for (Map m : Map.values()) {
            descriptors.add(new ColumnFamilyDescriptor(m.cfName(), newCfOptions(m.counter)));
        }
        handles = new ArrayList<>();
        try {
            db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
        } catch (RocksDBException e) {
            close();
            throw new IOException("cannot open metadata store at " + dir + ": " + e.getMessage(), e);
        }
    }

    private ColumnFamilyOptions newCfOptions(boolean counter) {
        ColumnFamilyOptions o = new ColumnFamilyOptions()
                .setWriteBufferSize(WRITE_BUFFER_BYTES)
                .setMaxWriteBufferNumber(4)
                .setTableFormatConfig(new BlockBasedTableConfig().setFilterPolicy(new BloomFilter(10, false))
                        .setBlockCache(blockCache));
        if (counter) {
            o.setMergeOperator(new UInt64AddOperator());
        }
        cfOptions.add(o);
        return o;
    }

    /** Opens (creating if absent) the store in dir; beforeMemtableFlush runs before any SST is written. */
    public static MetadataStore open(Path dir, Runnable beforeMemtableFlush) throws IOException {
        return new MetadataStore(dir, beforeMemtableFlush);
    }

    public Path dir() {
        return dir;
    }

    ColumnFamilyHandle cf(Map m) {
        return handles.get(1 + m.ordinal());
    }

    public byte[] get(Map m, byte[] key) {
        try {
            return db.get(cf(m), readOptions, key);
        } catch (RocksDBException e) {
            throw new MetadataIoException("read of " + m + " failed", e);
        }
    }

    /** Batched point reads; the result list has one entry (possibly null) per key. */
    public List<byte[]> multiGet(Map m, List<byte[]> keys) {
        return multiGet(readOptions, m, keys);
    }

    private List<byte[]> multiGet(ReadOptions options, Map m, List<byte[]> keys) {
        ColumnFamilyHandle h = cf(m);
        try {
            if (keys.size() == 1) {
                // RocksJava's multiGetAsList costs about a microsecond more than a get for one key
                // (list and array conversions across JNI): a quarter of a cached 4 KiB read
                List<byte[]> one = new ArrayList<>(1);
                one.add(db.get(h, options, keys.get(0)));
                return one;
            }
            List<ColumnFamilyHandle> cfs = new ArrayList<>(keys.size());
            for (int i = 0; i < keys.size(); i++) {
                cfs.add(h);
            }
            return db.multiGetAsList(options, cfs, keys);
        } catch (RocksDBException e) {
            throw new MetadataIoException("read of " + m + " failed", e);
        }
    }

    /**
     * A read-only view of every map as it is now (a RocksDB snapshot): long scans read a consistent
     * state without holding the engine's commit lock. Close it promptly; it pins old versions.
     */
    public View view() {
        return new View();
    }

    /** See {@link #view()}. */
    public final class View implements AutoCloseable {
        private final Snapshot snapshot = db.getSnapshot();
        private final ReadOptions options = new ReadOptions().setSnapshot(snapshot);

        private View() {}

        public RocksIterator iterator(Map m) {
            return db.newIterator(cf(m), options);
        }

        public List<byte[]> multiGet(Map m, List<byte[]> keys) {
            return MetadataStore.this.multiGet(options, m, keys);
        }

        @Override
        public void close() {
            options.close();
            db.releaseSnapshot(snapshot);
        }
    }

    /** Counter value of a uint64add map (0 when absent). */
    public long counter(Map m, byte[] key) {
        return Keys.getLe64(get(m, key));
    }

    public RocksIterator iterator(Map m) {
        return db.newIterator(cf(m), readOptions);
    }

    public Batch newBatch() {
        return new Batch(this);
    }

    /** Applies the batch atomically; durable only after the next {@link #syncWal}. */
    public void commit(Batch batch) {
        if (batch.isEmpty()) {
            return;
        }
        try {
            db.write(asyncWrite, batch.writeBatch());
        } catch (RocksDBException e) {
            throw new MetadataIoException("metadata commit failed", e);
        }
        bytesSinceCheck.addAndGet(batch.writeBatch().getDataSize());
    }

    /** Writes and fsyncs the WAL: every batch committed so far becomes durable. */
    public void syncWal() {
        try {
            db.flushWal(true);
        } catch (RocksDBException e) {
            throw new MetadataIoException("metadata WAL sync failed", e);
        }
    }

    /**
     * Switches every memtable that is past three quarters full, running beforeSwitch first. A
     * switch writes the WAL buffer and a flush writes SST files, both on RocksDB's schedule when a
     * memtable fills by itself; switching early, right after the engine has put its segment buffer
     * on the device, keeps metadata from ever reaching the disk ahead of the bytes it references.
     * Returns whether anything was switched.
     */
    public boolean switchFullMemtables(Runnable beforeSwitch) {
        // A memtable grows by at most what was committed since the last look; until that reaches an
        // eighth of a write buffer, none can have crossed from under 3/4 to full. Asking RocksDB
        // for every column family's size on every commit cost 7% of a small write.
        if (bytesSinceCheck.get() < WRITE_BUFFER_BYTES / 8) {
            return false;
        }
        bytesSinceCheck.set(0);
        boolean switched = false;
        try (FlushOptions noWait = new FlushOptions().setWaitForFlush(false)) {
            for (ColumnFamilyHandle h : handles) {
                if (db.getLongProperty(h, "rocksdb.cur-size-active-mem-table") > WRITE_BUFFER_BYTES * 3 / 4) {
                    if (!switched) {
                        beforeSwitch.run();
                        switched = true;
                    }
                    db.flush(noWait, h);
                }
            }
        } catch (RocksDBException e) {
            throw new MetadataIoException("memtable switch failed", e);
        }
        return switched;
    }

    /**
     * Bytes RocksDB holds in memory outside the page cache: memtables, table readers (index and
     * filter blocks) and the block cache.
     */
    public long memoryBytes() {
        long total = 0;
        try {
            for (ColumnFamilyHandle h : handles) {
                total += db.getLongProperty(h, "rocksdb.cur-size-all-mem-tables");
                total += db.getLongProperty(h, "rocksdb.estimate-table-readers-mem");
            }
            total += db.getLongProperty("rocksdb.block-cache-usage");
        } catch (RocksDBException e) {
            return -1;
        }
        return total;
    }

    /** Bytes of metadata on disk (SST files and WAL). */
    public long diskBytes() {
        long total = 0;
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String n = p.getFileName().toString();
                if (n.endsWith(".sst") || n.endsWith(".log")) {
                    total += Files.size(p);
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return total;
    }

    /** Forces memtables to SST files (used on clean shutdown so restart replays little WAL). */
    public void flushMemtables() {
        try (FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
            db.flush(fo, handles);
        } catch (RocksDBException e) {
            throw new MetadataIoException("memtable flush failed", e);
        }
    }

    @Override
    public void close() {
        if (handles != null) {
            for (ColumnFamilyHandle h : handles) {
                h.close();
            }
        }
        if (db != null) {
            db.close();
        }
        dbOptions.close();
        for (ColumnFamilyOptions o : cfOptions) {
            o.close();
        }
        asyncWrite.close();
        readOptions.close();
        blockCache.close();
    }
}
