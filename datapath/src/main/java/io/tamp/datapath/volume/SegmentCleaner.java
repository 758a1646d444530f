package io.tamp.datapath.volume;

import io.tamp.datapath.store.ExtentReader;
import io.tamp.datapath.store.SegmentTable;
import io.tamp.metadata.store.Batch;
import io.tamp.metadata.store.ExtentRecord;
import io.tamp.metadata.store.Keys;
import io.tamp.metadata.store.MetadataStore;
import io.tamp.metadata.store.MetadataStore.Map;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.RocksIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reclaims space: copies the live extents of mostly-dead sealed segments into the open segment
 * (extent table only; block maps untouched) and frees the emptied segments once the move is
 * durable. While the host writes it moves live data only once free segments fall to
 * {@link EngineConfig#busyCleanFreeFraction} of the pool, and then only out of segments under
 * {@link #BUSY_UTILIZATION} live; when it is idle, or the pool runs short of free segments, out of
 * everything under {@link #IDLE_UTILIZATION}.
 */
final class SegmentCleaner {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentCleaner.class);
    static final double BUSY_UTILIZATION = 0.5;
    static final double IDLE_UTILIZATION = 0.9;
    /** Extents moved per commit-lock hold, bounding the pause host writes see. */
    private static final int MOVE_CHUNK = 64;

    private final Engine engine;
    private final MetadataStore store;
    volatile long segmentsFreed;
    volatile long bytesMoved;

    SegmentCleaner(Engine engine) {
        this.engine = engine;
        this.store = engine.store;
    }

    /** Emptied segments freed together, so one flush covers many (a flush briefly stops writers). */
    static final int FREE_BATCH = 8;

    /**
     * One unit of cleaning: frees the emptied segments once enough have gathered (or the host is
     * idle, or space is short), else moves the live extents out of the emptiest qualifying
     * segment. Returns whether it did anything.
     */
    boolean step(boolean idle) throws IOException {
        int victim = -1;
        List<Integer> empties = new ArrayList<>();
        engine.commitLock.lock();
        try {
            SegmentTable t = engine.segments;
            boolean short_ = t.freeCount() < Math.max(Engine.RESERVED_SEGMENTS * 2, t.segmentCount() / 10);
            boolean roomy = t.freeCount() > t.segmentCount() * engine.config.busyCleanFreeFraction();
            double threshold = idle || short_ ? IDLE_UTILIZATION : roomy ? 0 : BUSY_UTILIZATION;
            double best = threshold;
            for (int seg : t.inState(SegmentTable.State.SEALED)) {
                if (t.live(seg) == 0) {
                    empties.add(seg);
                    continue;
                }
                double util = (double) t.live(seg) / Math.max(1, t.written(seg));
                if (util < best) {
                    best = util;
                    victim = seg;
                }
            }
            if (!empties.isEmpty() && (empties.size() >= FREE_BATCH || idle || short_)) {
                victim = -1;
            } else {
                empties.clear();
                if (victim < 0 || !engine.committer.fits(t.live(victim), 0)) {
                    return false;
                }
            }
        } finally {
            engine.commitLock.unlock();
        }
        if (victim >= 0) {
            bornCursor = engine.segments.firstBorn(victim);
            while (moveSome(victim)) {
                // chunks, releasing the commit lock between them; the emptied segment is freed later
            }
            return true;
        }
        // the moves and deaths that emptied these segments must be durable before their space is reused
        if (!engine.flush().ok()) {
            return false;
        }
        engine.commitLock.lock();
        try {
            engine.segmentLifecycle.writeLock().lock();
            try (Batch b = store.newBatch()) {
                for (int seg : empties) {
                    if (engine.segments.live(seg) == 0 && engine.segments.state(seg) == SegmentTable.State.SEALED) {
                        engine.segments.free(seg, b);
                        segmentsFreed++;
                    }
                }
                store.commit(b);
            } finally {
                engine.segmentLifecycle.writeLock().unlock();
            }
        } finally {
            engine.commitLock.unlock();
        }
        return true;
    }

    /** Next id of the victim's born range to look at. */
    private long bornCursor;

    /**
     * Adds extent id to the chunk if it still lives in seg, with its stored bytes (copied as stored,
     * CRC and all: a corrupt extent stays detectably corrupt). Listed entries are always added, so a
     * stale list entry gets deleted.
     */
    private void addCandidate(int seg, long id, byte[] record, List<Long> ids, List<byte[]> contents, boolean listed)
            throws IOException {
        ExtentRecord r = record == null ? null : ExtentRecord.decode(record);
        boolean here = r != null && r.segment() == seg;
        if (!here && !listed) {
            return;
        }
        ids.add(id);
        contents.add(here ? java.util.Arrays.copyOf(ExtentReader.current().read(engine.pool, engine.writer, r),
                r.length()) : null);
    }

    private boolean moveSome(int seg) throws IOException {
        if (engine.failed()) {
            return false;
        }
        List<Long> ids = new ArrayList<>(MOVE_CHUNK);
        List<byte[]> contents = new ArrayList<>(MOVE_CHUNK);
        // extents moved into seg earlier are listed; the ones born there are an id range
        byte[] prefix = Keys.u32(seg);
        try (RocksIterator it = store.iterator(Map.SEGMENT_EXTENTS)) {
            for (it.seek(prefix); it.isValid() && ids.size() < MOVE_CHUNK; it.next()) {
                byte[] k = it.key();
                if (Keys.getInt(k, 0) != seg) {
                    break;
                }
                addCandidate(seg, Keys.getLong(k, 4), store.get(Map.EXTENTS, Keys.u64(Keys.getLong(k, 4))), ids,
                        contents, true);
            }
        }
        long last = engine.segments.lastBorn(seg);
        while (ids.size() < MOVE_CHUNK && bornCursor <= last && bornCursor > 0) {
            int n = (int) Math.min(256, last - bornCursor + 1);
            List<byte[]> keys = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                keys.add(Keys.u64(bornCursor + i));
            }
            List<byte[]> values = store.multiGet(Map.EXTENTS, keys);
            int i = 0;
            for (; i < n && ids.size() < MOVE_CHUNK; i++) {
                addCandidate(seg, bornCursor + i, values.get(i), ids, contents, false);
            }
            bornCursor += i;
        }
        if (ids.isEmpty()) {
            return false;
        }
        engine.commitLock.lock();
        try {
            if (engine.failed()) {
                return false;
            }
            engine.ctx.reset();
            try (Batch batch = store.newBatch()) {
                for (int i = 0; i < ids.size(); i++) {
                    long id = ids.get(i);
                    byte[] key = Keys.u64(id);
                    byte[] v = store.get(Map.EXTENTS, key);
                    ExtentRecord r = v == null ? null : ExtentRecord.decode(v);
                    byte[] bytes = contents.get(i);
                    boolean born = engine.segments.bornIn(seg, id);
                    if (r == null || r.segment() != seg || bytes == null) {
                        // died meanwhile (or a stale list entry): nothing to move
                        if (!born) {
                            batch.delete(Map.SEGMENT_EXTENTS, Keys.segmentExtentKey(seg, id));
                        }
                        continue;
                    }
                    // still in seg: extents only ever move out of a sealed segment, so the bytes read above hold
                    int offset = engine.writer.append(bytes, 0, r.length(), batch);
                    if (offset < 0) {
                        throw new IllegalStateException("cleaner ran out of segments after its space check");
                    }
                    ExtentRecord moved = r.movedTo(engine.writer.segment(), offset);
                    if (!born) {
                        batch.delete(Map.SEGMENT_EXTENTS, Keys.segmentExtentKey(seg, id));
                    }
                    batch.put(Map.EXTENTS, key, moved.encode());
                    batch.put(Map.SEGMENT_EXTENTS, Keys.segmentExtentKey(moved.segment(), id), new byte[0]);
                    engine.segments.addLive(seg, -r.length(), batch);
                    engine.segments.addLive(moved.segment(), r.length(), batch);
                    bytesMoved += r.length();
                }
                engine.committer.commit(batch);
            }
            return true;
        } finally {
            engine.commitLock.unlock();
        }
    }
}
