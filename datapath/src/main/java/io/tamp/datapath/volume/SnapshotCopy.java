package io.tamp.datapath.volume;

import io.tamp.metadata.store.Batch;
import io.tamp.metadata.store.ExtentRecord;
import io.tamp.metadata.store.Keys;
import io.tamp.metadata.store.MetadataStore;
import io.tamp.metadata.store.MetadataStore.Map;
import io.tamp.metadata.store.VolumeRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.rocksdb.RocksIterator;

/**
 * Snapshots as copies of the source's block map: the snapshot's key range gets every live entry of
 * the source (same extent, same epoch) and each extent one more reference; no data moves. Also the
 * pool-wide walk that finds what only snapshots hold.
 *
 * <p>Crash atomicity: the copy is committed in batches of {@link #batchEntries}; the first carries
 * the snapshot's record in state CREATING, the last turns it ACTIVE and is made durable. A crash
 * in between leaves a CREATING record with part of the entries and their references; the engine
 * turns it into a deleting volume at open, and the unmap drain releases what was copied.
 */
final class SnapshotCopy {
    private final Engine engine;
    private final MetadataStore store;
    /** Block-map entries per batch; a test may lower it to get many batches from a small volume. */
    int batchEntries = 4096;
    /** Test hook: when positive, the copy fails the engine after committing this many batches. */
    int failAfterBatches = -1;

    SnapshotCopy(Engine engine) {
        this.engine = engine;
        this.store = engine.store;
    }

    /**
     * Copies source's live block map (ZERO entries and entries hidden by a pending unmap are left
     * out: a snapshot reads them as zeros all the same) under creating.id(). The caller holds the
     * commit lock and has put what else belongs to the first batch into first. Returns the new
     * snapshot, ACTIVE and durable, not yet registered with the engine.
     */
    Volume copy(Volume source, VolumeRecord creating, Batch first) throws IOException {
        long id = creating.id();
        BatchContext ctx = engine.ctx;
        ctx.reset();
        Batch batch = first;
        batch.put(Map.VOLUMES, Keys.u64(id), creating.encode());
        long mapped = 0;
        long highestLba = -1;
        int inBatch = 0;
        int committed = 0;
        try (RocksIterator it = store.iterator(Map.BLOCKMAP)) {
            for (it.seek(Keys.blockKey(source.id(), 0)); it.isValid(); it.next()) {
                byte[] k = it.key();
                if (Keys.getLong(k, 0) != source.id()) {
                    break;
                }
                long lba = Keys.getLong(k, 8);
                byte[] value = it.value();
                long extent = BlockMapEntry.extentId(value);
                if (extent == BlockMapEntry.ZERO || source.isShadowed(lba, BlockMapEntry.epoch(value))) {
                    continue;
                }
                if (inBatch == batchEntries) { // committed only once more follows: the last batch is never empty
                    ctx.addMapped(id, inBatch);
                    engine.committer.commit(batch);
                    batch.clear();
                    ctx.reset();
                    inBatch = 0;
                    if (++committed == failAfterBatches) {
                        throw new IllegalStateException("test hook: snapshot copy stopped after " + committed
                                + " batches");
                    }
                }
                batch.put(Map.BLOCKMAP, Keys.blockKey(id, lba), value);
                ctx.addRef(extent, +1);
                inBatch++;
                mapped++;
                highestLba = lba;
            }
        }
        ctx.addMapped(id, inBatch);
        VolumeRecord active = creating.withState(VolumeRecord.State.ACTIVE);
        batch.put(Map.VOLUMES, Keys.u64(id), active.encode());
        engine.committer.commit(batch);
        engine.syncCatalog();
        Volume snapshot = new Volume(engine, active, mapped);
        snapshot.highWaterLba = highestLba + 1;
        return snapshot;
    }

    /**
     * Stored bytes of the extents that only snapshots reference (no volume does): what the
     * snapshots cost the pool. Reads a point-in-time view, so it needs no lock; O(blocks mapped by
     * the snapshots), with 8 bytes of heap per such block for the sort.
     */
    static long snapshotOnlyBytes(MetadataStore.View view, List<Volume> snapshots) {
        long[] ids = new long[1024];
        int n = 0;
        for (Volume s : snapshots) {
            try (RocksIterator it = view.iterator(Map.BLOCKMAP)) {
                for (it.seek(Keys.blockKey(s.id(), 0)); it.isValid(); it.next()) {
                    if (Keys.getLong(it.key(), 0) != s.id()) {
                        break;
                    }
                    long extent = BlockMapEntry.extentId(it.value());
                    if (extent == BlockMapEntry.ZERO) {
                        continue;
                    }
                    if (n == ids.length) {
                        ids = Arrays.copyOf(ids, n * 2);
                    }
                    ids[n++] = extent;
                }
            }
        }
        Arrays.sort(ids, 0, n);
        long bytes = 0;
        List<byte[]> keys = new ArrayList<>(LOOKUP_CHUNK);
        long[] snapshotRefs = new long[LOOKUP_CHUNK];
        for (int i = 0; i < n; ) {
            int j = i;
            while (j < n && ids[j] == ids[i]) {
                j++;
            }
            snapshotRefs[keys.size()] = j - i;
            keys.add(Keys.u64(ids[i]));
            if (keys.size() == LOOKUP_CHUNK) {
                bytes += onlySnapshotBytes(view, keys, snapshotRefs);
                keys.clear();
            }
            i = j;
        }
        return bytes + (keys.isEmpty() ? 0 : onlySnapshotBytes(view, keys, snapshotRefs));
    }

    private static final int LOOKUP_CHUNK = 4096;

    /** Sums the stored bytes of those extents whose every reference is a snapshot's. */
    private static long onlySnapshotBytes(MetadataStore.View view, List<byte[]> keys, long[] snapshotRefs) {
        List<byte[]> refcounts = view.multiGet(Map.REFCOUNTS, keys);
        List<byte[]> only = new ArrayList<>();
        for (int k = 0; k < keys.size(); k++) {
            if (BatchContext.refcountOf(refcounts.get(k)) == snapshotRefs[k]) {
                only.add(keys.get(k));
            }
        }
        long bytes = 0;
        if (!only.isEmpty()) {
            for (byte[] r : view.multiGet(Map.EXTENTS, only)) {
                if (r != null) { // a missing extent is fsck's to report; the figure counts what exists
                    bytes += ExtentRecord.decode(r).length();
                }
            }
        }
        return bytes;
    }
}
