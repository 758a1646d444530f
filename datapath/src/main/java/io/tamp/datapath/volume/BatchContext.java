package io.tamp.datapath.volume;

import io.tamp.metadata.store.Batch;
import io.tamp.metadata.store.ExtentRecord;
import io.tamp.metadata.store.Keys;
import io.tamp.metadata.store.MetadataStore;
import io.tamp.metadata.store.MetadataStore.Map;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * Refcount deltas and new extents of one metadata batch. Deltas accumulate while the batch is
 * built; {@link #finish} turns them into merges, creations and deaths, so an extent that drops to
 * zero and is referenced again within the batch never dies.
 */
final class BatchContext {
    static final class Touched {
        final long id;
        ExtentRecord record;
        boolean isNew;
        boolean recordLoaded;
        long delta;

        Touched(long id) {
            this.id = id;
        }
    }

    /** An extent that died in the finished batch: its fingerprint leaves the index after commit. */
    record Death(long id, byte[] fingerprint) {}

    private final MetadataStore store;
    private HashMap<Long, Touched> touched = new HashMap<>();
    private final HashMap<Long, Long> volumeDeltas = new HashMap<>();
    final List<Death> deaths = new ArrayList<>();
    long uniqueBlocksDelta;
    long uniqueBytesDelta;

    /** Above this many touched extents a batch's map is dropped rather than cleared. */
    static final int SMALL_BATCH_EXTENTS = 1024;

    BatchContext(MetadataStore store) {
        this.store = store;
    }

    void reset() {
        if (touched.size() > SMALL_BATCH_EXTENTS) {
            // clear() keeps the table: after one big batch (an inline unmap touches thousands of
            // extents) every later clear and finish would walk thousands of empty slots
            touched = new HashMap<>();
        } else {
            touched.clear();
        }
        volumeDeltas.clear();
        deaths.clear();
        uniqueBlocksDelta = 0;
        uniqueBytesDelta = 0;
    }

    /** The extent's record as of this batch, or null when it does not exist. */
    ExtentRecord record(long id) {
        return load(touched.computeIfAbsent(id, Touched::new));
    }

    private ExtentRecord load(Touched t) {
        if (!t.recordLoaded) {
            byte[] v = store.get(Map.EXTENTS, Keys.u64(t.id));
            t.record = v == null ? null : ExtentRecord.decode(v);
            t.recordLoaded = true;
        }
        return t.record;
    }

    void addNew(long id, ExtentRecord r) {
        Touched t = touched.computeIfAbsent(id, Touched::new);
        t.record = r;
        t.recordLoaded = true;
        t.isNew = true;
    }

    void addRef(long id, long delta) {
        touched.computeIfAbsent(id, Touched::new).delta += delta;
    }

    void addMapped(long volumeId, long delta) {
        volumeDeltas.merge(volumeId, delta, Long::sum);
    }

    java.util.Map<Long, Long> volumeDeltas() {
        return volumeDeltas;
    }

    /**
     * The refcount a REFCOUNTS value (null when absent) stands for. The map stores refcount - 1
     * (absent = 1), so the common case, a new extent referenced once, costs no refcount write at all.
     */
    static long refcountOf(byte[] stored) {
        return Keys.getLe64(stored) + 1;
    }

    /** Writes the refcount consequences of the batch; segment live bytes go through segments. */
    void finish(Batch batch, io.tamp.datapath.store.SegmentTable segments) {
        for (Touched t : touched.values()) {
            if (t.delta == 0 && !t.isNew) {
                continue;
            }
            byte[] key = Keys.u64(t.id);
            if (!t.isNew && t.delta > 0) {
                batch.add(Map.REFCOUNTS, key, t.delta); // only a decrement can kill: no need to read the count
                continue;
            }
            byte[] storedCount = t.isNew ? null : store.get(Map.REFCOUNTS, key);
            long base = t.isNew ? 0 : refcountOf(storedCount);
            long after = base + t.delta;
            if (after < 0) {
                throw new io.tamp.metadata.store.CorruptMetadataException(
                        "refcount of extent " + t.id + " would drop below zero (" + base + " + " + t.delta + ")");
            }
            // not record(): computeIfAbsent may resize the map it catches up on, and we are iterating it
            ExtentRecord r = load(t);
            if (r == null) {
                throw new io.tamp.metadata.store.CorruptMetadataException("extent " + t.id + " referenced but missing");
            }
            if (t.isNew && after > 0) {
                batch.put(Map.EXTENTS, key, r.encode());
                batch.add(Map.REFCOUNTS, key, after - 1); // stored as refcount - 1: usually nothing to write
                segments.addLive(r.segment(), r.length(), batch);
                uniqueBlocksDelta++;
                uniqueBytesDelta += r.length();
            } else if (after == 0) {
                if (!t.isNew) {
                    batch.delete(Map.EXTENTS, key);
                    if (storedCount != null) {
                        // absent means 1 (see refcountOf): a tombstone for a key never written is pure cost
                        batch.delete(Map.REFCOUNTS, key);
                    }
                    if (!segments.bornIn(r.segment(), t.id)) {
                        batch.delete(Map.SEGMENT_EXTENTS, Keys.segmentExtentKey(r.segment(), t.id));
                    }
                    segments.addLive(r.segment(), -r.length(), batch);
                    uniqueBlocksDelta--;
                    uniqueBytesDelta -= r.length();
                }
                deaths.add(new Death(t.id, r.fingerprint()));
            } else {
                batch.add(Map.REFCOUNTS, key, t.delta);
            }
        }
        for (var e : volumeDeltas.entrySet()) {
            batch.add(Map.VOLUME_STATS, Keys.u64(e.getKey()), e.getValue());
        }
        batch.add(Map.META, Engine.KEY_UNIQUE_BLOCKS, uniqueBlocksDelta);
        batch.add(Map.META, Engine.KEY_UNIQUE_BYTES, uniqueBytesDelta);
    }
}
