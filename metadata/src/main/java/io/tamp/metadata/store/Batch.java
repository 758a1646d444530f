package io.tamp.metadata.store;

import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/** One atomic group of metadata changes: block-map entries, extents, refcount deltas, counters. */
public final class Batch implements AutoCloseable {
    private final MetadataStore store;
    private final WriteBatch wb = new WriteBatch();

    Batch(MetadataStore store) {
        this.store = store;
    }

    public Batch put(MetadataStore.Map m, byte[] key, byte[] value) {
        try {
            wb.put(store.cf(m), key, value);
        } catch (RocksDBException e) {
            throw new MetadataIoException("batch put", e);
        }
        return this;
    }

    public Batch delete(MetadataStore.Map m, byte[] key) {
        try {
            wb.delete(store.cf(m), key);
        } catch (RocksDBException e) {
            throw new MetadataIoException("batch delete", e);
        }
        return this;
    }

    /** Adds delta (may be negative) to a counter through the uint64add merge operator. */
    public Batch add(MetadataStore.Map m, byte[] key, long delta) {
        if (!m.counter) {
            throw new IllegalArgumentException(m + " is not a counter map");
        }
        if (delta == 0) {
            return this;
        }
        try {
            wb.merge(store.cf(m), key, Keys.le64(delta));
        } catch (RocksDBException e) {
            throw new MetadataIoException("batch merge", e);
        }
        return this;
    }

    public boolean isEmpty() {
        return wb.count() == 0;
    }

    public int count() {
        return wb.count();
    }

    WriteBatch writeBatch() {
        return wb;
    }

    public void clear() {
        wb.clear();
    }

    @Override
    public void close() {
        wb.close();
    }
}
