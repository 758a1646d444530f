package io.tamp.datapath.volume;

import io.tamp.datapath.reduce.ReducedBlock;
import io.tamp.datapath.store.SegmentTable;
import io.tamp.metadata.fingerprint.FingerprintIndex;
import io.tamp.metadata.store.Batch;
import io.tamp.metadata.store.ExtentRecord;
import io.tamp.metadata.store.Keys;
import io.tamp.metadata.store.MetadataStore;
import io.tamp.metadata.store.MetadataStore.Map;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.RocksIterator;

/**
 * Turns reduced blocks and unmaps into metadata batches, under the engine's commit lock: dedup
 * lookup, byte-granular append, block-map updates, refcount deltas, one WriteBatch per group.
 * Extent bytes reach the device before the batch that references them is committed.
 */
final class Committer {
    private final Engine engine;
    private final MetadataStore store;
    private final List<byte[]> keys = new ArrayList<>();
    /** The keys of {@link #keys} whose old entries must be read (below a volume's high-water mark). */
    private final List<byte[]> lookupKeys = new ArrayList<>();

    Committer(Engine engine) {
        this.engine = engine;
        this.store = engine.store;
    }

    /** Maps n reduced blocks at firstLba.. of volume v. Nothing changes unless OK is returned. */
    IoStatus commitGroup(Volume v, long firstLba, ReducedBlock[] blocks, int n) {
        return commitGroup(v, firstLba, blocks, 0, n);
    }

    /** One writer's group, waiting to be committed, possibly together with others'. */
    private static final class Request {
        final Volume volume;
        final long firstLba;
        final ReducedBlock[] blocks;
        final int from;
        final int n;
        final Thread waiter = Thread.currentThread();
        volatile IoStatus result;
        boolean lookup;

        Request(Volume volume, long firstLba, ReducedBlock[] blocks, int from, int n) {
            this.volume = volume;
            this.firstLba = firstLba;
            this.blocks = blocks;
            this.from = from;
            this.n = n;
        }
    }

    /** Rounds a leader commits before it hands leadership on, so its own caller is not kept waiting long. */
    private static final int LEADER_ROUNDS = 4;
    /** Groups waiting to be committed; guarded by its own monitor, as is {@link #leaderActive}. */
    private final java.util.ArrayDeque<Request> waiting = new java.util.ArrayDeque<>();
    private boolean leaderActive;

    /**
     * Maps blocks[from, from+n) at firstLba.. of volume v. Nothing changes unless OK is returned.
     *
     * <p>Group commit: the request joins a queue. If no thread is committing, this one becomes
     * the leader: under the commit lock it commits every queued request in one WriteBatch (one
     * block-map multiGet, one RocksDB write), a few rounds, then hands leadership to the next
     * waiter. Followers park until their request is done — they never queue for the lock, so a
     * batch of N writers costs one lock hand-off, not N. Each request keeps its own outcome: one
     * that does not fit is refused with NO_SPACE and changes nothing.
     */
    IoStatus commitGroup(Volume v, long firstLba, ReducedBlock[] blocks, int from, int n) {
        Request mine = new Request(v, firstLba, blocks, from, n);
        boolean lead;
        synchronized (waiting) {
            waiting.add(mine);
            lead = !leaderActive;
            leaderActive |= lead;
        }
        while (true) {
            if (lead) {
                lead();
                lead = false;
            }
            if (mine.result != null) {
                return mine.result;
            }
            synchronized (waiting) {
                if (mine.result == null && !leaderActive) {
                    leaderActive = true;
                    lead = true;
                }
            }
            if (!lead && mine.result == null) {
                java.util.concurrent.locks.LockSupport.park(this);
            }
        }
    }

    private void lead() {
        List<Request> batch = new ArrayList<>();
        engine.commitLock.lock();
        try {
            for (int round = 0; round < LEADER_ROUNDS; round++) {
                batch.clear();
                synchronized (waiting) {
                    batch.addAll(waiting);
                    waiting.clear();
                }
                if (batch.isEmpty()) {
                    break;
                }
                commitRequests(batch);
                for (Request r : batch) {
                    java.util.concurrent.locks.LockSupport.unpark(r.waiter);
                }
            }
        } finally {
            engine.commitLock.unlock();
            synchronized (waiting) {
                leaderActive = false;
                Request next = waiting.peek();
                if (next != null) {
                    java.util.concurrent.locks.LockSupport.unpark(next.waiter); // it takes over
                }
            }
        }
    }

    private void commitRequests(List<Request> requests) {
        if (engine.failed()) {
            requests.forEach(r -> r.result = IoStatus.IO_ERROR);
            return;
        }
        List<Request> accepted = new ArrayList<>(requests.size());
        long need = 0;
        for (Request r : requests) {
            if (r.volume.deleted) {
                r.result = IoStatus.NO_VOLUME;
                continue;
            }
            if (r.volume.isSnapshot()) { // Volume refuses first; a snapshot's map is never written here
                r.result = IoStatus.READ_ONLY;
                continue;
            }
            long mine = storedBytes(r.blocks, r.from, r.n);
            if (!fits(need + mine, Engine.RESERVED_SEGMENTS)) {
                r.result = IoStatus.NO_SPACE;
                continue;
            }
            need += mine;
            accepted.add(r);
        }
        if (accepted.isEmpty()) {
            return;
        }
        BatchContext ctx = engine.ctx;
        ctx.reset();
        try (Batch batch = store.newBatch()) {
            long epoch = ++engine.epoch;
            keys.clear();
            lookupKeys.clear();
            for (Request r : accepted) {
                // nothing was ever mapped at or above the volume's high-water mark: no old entries to read
                r.lookup = r.firstLba < r.volume.highWaterLba;
                for (int i = 0; i < r.n; i++) {
                    byte[] key = Keys.blockKey(r.volume.id(), r.firstLba + i);
                    keys.add(key);
                    if (r.lookup) {
                        lookupKeys.add(key);
                    }
                }
            }
            List<byte[]> old = lookupKeys.isEmpty() ? List.of() : store.multiGet(Map.BLOCKMAP, lookupKeys);
            int at = 0;
            int k = 0;
            for (Request r : accepted) {
                long mappedDelta = 0;
                for (int i = 0; i < r.n; i++, k++) {
                    byte[] prev = r.lookup ? old.get(at++) : null;
                    if (prev != null) {
                        long prevExtent = BlockMapEntry.extentId(prev);
                        if (prevExtent != BlockMapEntry.ZERO) {
                            ctx.addRef(prevExtent, -1);
                            mappedDelta--;
                        }
                    }
                    ReducedBlock rb = r.blocks[r.from + i];
                    long extent = BlockMapEntry.ZERO;
                    if (!rb.zero) {
                        extent = dedupOrAppend(rb, batch);
                        ctx.addRef(extent, +1);
                        mappedDelta++;
                    }
                    batch.put(Map.BLOCKMAP, keys.get(k), BlockMapEntry.encode(extent, epoch));
                }
                ctx.addMapped(r.volume.id(), mappedDelta);
            }
            commit(batch);
            for (Request r : accepted) {
                r.volume.highWaterLba = Math.max(r.volume.highWaterLba, r.firstLba + r.n);
                r.result = IoStatus.OK;
            }
            engine.lastWriteNanos = System.nanoTime();
        } catch (IOException | RuntimeException e) {
            engine.fail(e);
            accepted.forEach(r -> r.result = IoStatus.IO_ERROR);
        }
    }

    private static long storedBytes(ReducedBlock[] blocks, int from, int n) {
        long need = 0;
        for (int i = from; i < from + n; i++) {
            if (!blocks[i].zero) {
                need += blocks[i].storedLength;
            }
        }
        return need;
    }

    /** Work on the metadata that runs under the commit lock. */
    private interface LockedWork {
        IoStatus run() throws IOException;
    }

    /**
     * Runs work under the commit lock unless the engine has failed or v is gone. An exception
     * from the work leaves memory and the store possibly apart, so it fails the engine.
     */
    private IoStatus underCommitLock(Volume v, LockedWork work) {
        engine.commitLock.lock();
        try {
            if (engine.failed()) {
                return IoStatus.IO_ERROR;
            }
            if (v.deleted) {
                return IoStatus.NO_VOLUME;
            }
            return work.run();
        } catch (IOException | RuntimeException e) {
            engine.fail(e);
            return IoStatus.IO_ERROR;
        } finally {
            engine.commitLock.unlock();
        }
    }

    /** Space check before anything changes: every block assumed unique, each segment may waste a tail. */
    boolean fits(long needBytes, int reserveSegments) {
        if (needBytes == 0) {
            return true;
        }
        int segmentBytes = engine.segments.segmentBytes();
        long available = engine.writer.remaining()
                + (long) Math.max(0, engine.segments.freeCount() - reserveSegments) * (segmentBytes - 4096);
        return needBytes <= available;
    }

    private long dedupOrAppend(ReducedBlock rb, Batch batch) throws IOException {
        FingerprintIndex index = engine.index;
        long id = engine.nextExtentId;
        long hit = index.putIfAbsent(rb.fingerprint, 0, id);
        if (hit == FingerprintIndex.FULL) {
            engine.noteIndexFull();
        } else if (hit != FingerprintIndex.NO_EXTENT) {
            ExtentRecord r = engine.ctx.record(hit);
            if (r != null && r.fingerprintEquals(rb.fingerprint, 0)) {
                return hit;
            }
            index.put(rb.fingerprint, 0, id); // a stale entry (its extent is gone): the new extent replaces it
        }
        int offset = engine.writer.append(rb.stored, 0, rb.storedLength, batch);
        if (offset < 0) {
            throw new IllegalStateException("segment allocation failed after the space check");
        }
        engine.nextExtentId++;
        engine.segments.noteBirth(engine.writer.segment(), id);
        ExtentRecord r = new ExtentRecord(engine.writer.segment(), offset, rb.storedLength, rb.codec.id, rb.crc,
                rb.fingerprint.clone());
        engine.ctx.addNew(id, r);
        return id;
    }

    /**
     * Finishes the batch context and commits it. The extent bytes it references are in the segment
     * buffer; they reach the device before the batch can become durable (see SegmentWriter).
     */
    void commit(Batch batch) throws IOException {
        BatchContext ctx = engine.ctx;
        ctx.finish(batch, engine.segments);
        engine.segments.persistLive(batch);
        engine.writer.recordCursor(batch);
        store.switchFullMemtables(this::drainWriter);
        engine.persistCounters(batch);
        store.commit(batch);
        engine.uniqueBlocks += ctx.uniqueBlocksDelta;
        engine.uniqueBytes += ctx.uniqueBytesDelta;
        for (var e : ctx.volumeDeltas().entrySet()) {
            Volume v = engine.volumeById(e.getKey());
            if (v != null) {
                v.addMapped(e.getValue());
            }
        }
        for (BatchContext.Death d : ctx.deaths) {
            engine.index.remove(d.fingerprint(), 0, d.id());
        }
    }

    private void drainWriter() {
        try {
            engine.writer.drain();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Unmaps whole blocks [startLba, endLba). Up to inlineUnmapBlocks mapped entries are released
     * now; a larger range becomes a pending range that hides its entries at once and is released by
     * the background drain.
     */
    IoStatus unmapBlocks(Volume v, long startLba, long endLba) {
        if (startLba >= endLba) {
            return IoStatus.OK;
        }
        return underCommitLock(v, () -> {
            engine.ctx.reset();
            try (Batch batch = store.newBatch()) {
                long next = releaseEntries(v, startLba, endLba, Long.MAX_VALUE, engine.config.inlineUnmapBlocks(),
                        batch);
                PendingUnmap range = null;
                if (next < endLba) {
                    long e = ++engine.epoch;
                    range = new PendingUnmap(e, next, endLba);
                    batch.put(Map.PENDING_UNMAP, Keys.pendingKey(v.id(), e), range.encode());
                }
                commit(batch);
                if (range != null) {
                    v.pending.add(range);
                }
            }
            return IoStatus.OK;
        });
    }

    /**
     * Deletes up to limit block-map entries of v in [start, end) older than epochLimit, adding their
     * refcount decrements to the batch context. Returns the LBA to continue from (end when done).
     */
    private long releaseEntries(Volume v, long start, long end, long epochLimit, int limit, Batch batch) {
        byte[] from = Keys.blockKey(v.id(), start);
        long mappedDelta = 0;
        int released = 0;
        long next = end;
        try (RocksIterator it = store.iterator(Map.BLOCKMAP)) {
            for (it.seek(from); it.isValid(); it.next()) {
                byte[] k = it.key();
                if (Keys.getLong(k, 0) != v.id()) {
                    break;
                }
                long lba = Keys.getLong(k, 8);
                if (lba >= end) {
                    break;
                }
                if (released >= limit) {
                    next = lba;
                    break;
                }
                byte[] value = it.value();
                if (BlockMapEntry.epoch(value) >= epochLimit) {
                    continue;
                }
                long extent = BlockMapEntry.extentId(value);
                if (extent != BlockMapEntry.ZERO) {
                    engine.ctx.addRef(extent, -1);
                    mappedDelta--;
                }
                batch.delete(Map.BLOCKMAP, k);
                released++;
            }
        }
        engine.ctx.addMapped(v.id(), mappedDelta);
        return next;
    }

    /**
     * Releases up to budget entries of pending ranges, in chunks of {@link #DRAIN_CHUNK} with the
     * commit lock released between them so host writes wait at most one chunk; returns whether work
     * remains.
     */
    boolean drainStep(int budget) {
        Volume v = null;
        PendingUnmap range = null;
        engine.commitLock.lock();
        try {
            if (engine.failed()) {
                return false;
            }
            for (Volume candidate : engine.allVolumes()) {
                PendingUnmap p = candidate.pending.peek();
                if (p != null) {
                    v = candidate;
                    range = p;
                    break;
                }
                if (candidate.deleted) {
                    try (Batch batch = store.newBatch()) {
                        engine.forgetVolume(candidate, batch);
                        store.commit(batch);
                    }
                }
            }
        } catch (RuntimeException e) {
            engine.fail(e);
            return false;
        } finally {
            engine.commitLock.unlock();
        }
        if (v == null) {
            return false;
        }
        // find the entries to release without the lock (one iterator per step); they are re-checked under it
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        long scanEnd = range.endLba;
        try (RocksIterator it = store.iterator(Map.BLOCKMAP)) {
            for (it.seek(Keys.blockKey(v.id(), range.next)); it.isValid(); it.next()) {
                byte[] k = it.key();
                long lba = Keys.getLong(k, 8);
                if (Keys.getLong(k, 0) != v.id() || lba >= range.endLba) {
                    break;
                }
                if (keys.size() >= Math.min(budget, 1 << 16)) {
                    scanEnd = lba;
                    break;
                }
                byte[] value = it.value();
                if (BlockMapEntry.epoch(value) < range.epoch) {
                    keys.add(k);
                    values.add(value);
                }
            }
        }
        warmExtentCaches(values);
        for (int from = 0; from < keys.size(); from += DRAIN_CHUNK) {
            yieldToHostWrites();
            if (!releaseChecked(v, keys, values, from, Math.min(keys.size(), from + DRAIN_CHUNK))) {
                return false;
            }
        }
        return finishRangeStep(v, range, scanEnd);
    }

    /** Reads the extent and refcount records the drain will touch, so the reads under the lock hit the cache. */
    private void warmExtentCaches(List<byte[]> values) {
        List<byte[]> ids = new ArrayList<>(values.size());
        for (byte[] value : values) {
            long extent = BlockMapEntry.extentId(value);
            if (extent != BlockMapEntry.ZERO) {
                ids.add(Keys.u64(extent));
            }
        }
        if (!ids.isEmpty()) {
            store.multiGet(Map.EXTENTS, ids);
            store.multiGet(Map.REFCOUNTS, ids);
        }
    }

    /** Releases keys[from, to) that still hold the values the scan saw (a write or unmap may have got there first). */
    private boolean releaseChecked(Volume v, List<byte[]> keys, List<byte[]> values, int from, int to) {
        engine.commitLock.lock();
        try {
            if (engine.failed()) {
                return false;
            }
            List<byte[]> current = store.multiGet(Map.BLOCKMAP, keys.subList(from, to));
            engine.ctx.reset();
            long mappedDelta = 0;
            try (Batch batch = store.newBatch()) {
                for (int i = from; i < to; i++) {
                    if (!java.util.Arrays.equals(current.get(i - from), values.get(i))) {
                        continue;
                    }
                    long extent = BlockMapEntry.extentId(values.get(i));
                    if (extent != BlockMapEntry.ZERO) {
                        engine.ctx.addRef(extent, -1);
                        mappedDelta--;
                    }
                    batch.delete(Map.BLOCKMAP, keys.get(i));
                }
                engine.ctx.addMapped(v.id(), mappedDelta);
                commit(batch);
            }
            return true;
        } catch (IOException | RuntimeException e) {
            engine.fail(e);
            return false;
        } finally {
            engine.commitLock.unlock();
        }
    }

    /** Advances the range past what this step scanned; a finished range is deleted. Returns whether work remains. */
    private boolean finishRangeStep(Volume v, PendingUnmap range, long scanEnd) {
        engine.commitLock.lock();
        try {
            if (engine.failed()) {
                return false;
            }
            range.next = scanEnd;
            if (scanEnd >= range.endLba) {
                try (Batch batch = store.newBatch()) {
                    store.commit(batch.delete(Map.PENDING_UNMAP, Keys.pendingKey(v.id(), range.epoch)));
                }
                v.pending.remove(range);
            }
            return true;
        } catch (RuntimeException e) {
            engine.fail(e);
            return false;
        } finally {
            engine.commitLock.unlock();
        }
    }

    /** Entries released per commit-lock hold by the unmap drain. */
    static final int DRAIN_CHUNK = 4;

    /** Lets host writes waiting for the commit lock go first (for up to a millisecond). */
    private void yieldToHostWrites() {
        long deadline = System.nanoTime() + 1_000_000;
        while (engine.commitLock.hasQueuedThreads() && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(20_000); // sleep, not spin: cores are scarce
        }
    }

    SegmentTable segments() {
        return engine.segments;
    }
}
