package io.tamp.datapath.volume;

import io.tamp.datapath.reduce.Codec;
import io.tamp.datapath.reduce.ReducedBlock;
import io.tamp.datapath.reduce.Reducer;
import io.tamp.datapath.store.ExtentReader;
import io.tamp.metadata.store.ExtentRecord;
import io.tamp.metadata.store.Keys;
import io.tamp.metadata.store.MetadataStore.Map;
import io.tamp.metadata.store.VolumeRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A thin volume: 512-byte sectors outside, 4 KiB blocks inside. Thread-safe; concurrent writers
 * reduce in parallel and serialize only on the engine's commit lock. Block-range stripes make a
 * partial-block read-modify-write atomic against other I/O to the same blocks.
 *
 * <p>A snapshot ({@link #isSnapshot}) is a read-only volume sharing its source's extents: it reads
 * like any volume; writes, write-zeroes and unmaps return {@link IoStatus#READ_ONLY}.
 */
public final class Volume {
    public static final int SECTOR = Reducer.SECTOR_BYTES;
    public static final int BLOCK = Reducer.BLOCK_BYTES;
    /** Blocks per metadata batch (1 MiB). */
    static final int GROUP_BLOCKS = 256;
    private static final int STRIPES = 64;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final Engine engine;
    private volatile VolumeRecord record;
    private final ReentrantReadWriteLock[] stripes = new ReentrantReadWriteLock[STRIPES];
    final ConcurrentLinkedQueue<PendingUnmap> pending = new ConcurrentLinkedQueue<>();
    volatile boolean deleted;
    /** No block-map entry exists at or above this LBA (it only grows; changed under the commit lock). */
    volatile long highWaterLba;
    private volatile long mappedBlocks;
    /**
     * The newest write-behind commit of a large write to this volume (see {@link #pipeline}),
     * or null. Set and replaced only with every stripe write-locked; whoever takes a stripe lock
     * waits for it first, so nothing reads the block map around an acknowledged write.
     */
    private volatile Future<IoStatus> writeBehind;

    Volume(Engine engine, VolumeRecord record, long mappedBlocks) {
        this.engine = engine;
        this.record = record;
        this.mappedBlocks = mappedBlocks;
        this.deleted = record.state() == VolumeRecord.State.DELETING;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantReadWriteLock();
        }
    }

    /** Per-thread buffers: one group of blocks and its reductions. */
    private static final class Scratch {
        final byte[] blocks = new byte[GROUP_BLOCKS * BLOCK];
        final ReducedBlock[] reduced = new ReducedBlock[GROUP_BLOCKS];
        final List<byte[]> keys = new ArrayList<>(GROUP_BLOCKS);
        /** This thread's last write-behind commit: it still reads {@link #reduced} from PIPELINE_BLOCKS on. */
        Future<IoStatus> tail;

        Scratch() {
            Reducer r = Reducer.current();
            for (int i = 0; i < GROUP_BLOCKS; i++) {
                reduced[i] = r.newBlock();
            }
        }
    }

    /** A small durable attribute of this volume, or null (see {@link Engine#volumeAttribute}). */
    public byte[] attribute(String name) {
        return engine.volumeAttribute(this, name);
    }

    /** Sets or (null) removes a durable attribute; returns once it is on disk. */
    public void attribute(String name, byte[] value) {
        engine.putVolumeAttribute(this, name, value);
    }

    public long id() {
        return record.id();
    }

    public String name() {
        return record.name();
    }

    public long sizeBytes() {
        return record.sizeBytes();
    }

    /** Random identity chosen at creation (NAA / NGUID / serial number material). */
    public long serial() {
        return record.serial();
    }

    public long createdMillis() {
        return record.createdMillis();
    }

    public boolean deleted() {
        return deleted;
    }

    /** Whether this is a read-only, point-in-time snapshot of another volume. */
    public boolean isSnapshot() {
        return record.isSnapshot();
    }

    /** The id of the volume this snapshot was taken of; -1 for a volume. */
    public long sourceId() {
        return record.sourceId();
    }

    VolumeRecord record() {
        return record;
    }

    void setRecord(VolumeRecord r) {
        record = r;
    }

    /** Host-written, non-zero blocks in the block map (entries of a pending unmap count until drained). */
    public long mappedBlocks() {
        return mappedBlocks;
    }

    void addMapped(long delta) {
        mappedBlocks += delta;
    }

    /** {@link #check} for an operation that changes the volume. */
    private IoStatus checkWrite(long offsetBytes, long lengthBytes) {
        if (!deleted && isSnapshot()) {
            return IoStatus.READ_ONLY;
        }
        return check(offsetBytes, lengthBytes);
    }

    private IoStatus check(long offsetBytes, long lengthBytes) {
        if (deleted) {
            return IoStatus.NO_VOLUME;
        }
        if (offsetBytes < 0 || lengthBytes < 0 || offsetBytes % SECTOR != 0 || lengthBytes % SECTOR != 0) {
            return IoStatus.MISALIGNED;
        }
        if (offsetBytes + lengthBytes > sizeBytes() || offsetBytes + lengthBytes < 0) {
            return IoStatus.OUT_OF_RANGE;
        }
        if (engine.failed()) {
            return IoStatus.IO_ERROR;
        }
        return IoStatus.OK;
    }

    // ---------------------------------------------------------------- write

    /** Writes src.remaining() bytes at offsetBytes; with fua the data is durable when OK returns. */
    public IoStatus write(long offsetBytes, ByteBuffer src, boolean fua) {
        IoStatus s = checkWrite(offsetBytes, src.remaining());
        if (!s.ok()) {
            return s;
        }
        Scratch scratch = SCRATCH.get();
        Reducer reducer = Reducer.current();
        long pos = offsetBytes;
        long end = offsetBytes + src.remaining();
        while (pos < end) {
            long firstLba = pos / BLOCK;
            long groupEndBytes = Math.min(end, (firstLba + GROUP_BLOCKS) * BLOCK);
            int n = (int) ((groupEndBytes + BLOCK - 1) / BLOCK - firstLba);
            int headSkip = (int) (pos - firstLba * BLOCK);
            int tailEnd = (int) (groupEndBytes - firstLba * BLOCK);
            // whole blocks in a pipelined group read nothing before committing, and their commits
            // queue behind any write-behind commit on the one commit thread: no need to wait for it
            boolean pipelined = n >= 2 * PIPELINE_BLOCKS && headSkip == 0 && tailEnd % BLOCK == 0;
            lock(firstLba, n, true, !pipelined);
            try {
                if (headSkip != 0) {
                    s = readBlocksLocked(firstLba, 1, scratch.blocks, 0, scratch.keys);
                }
                if (s.ok() && tailEnd % BLOCK != 0 && (n > 1 || headSkip == 0)) {
                    s = readBlocksLocked(firstLba + n - 1, 1, scratch.blocks, (n - 1) * BLOCK, scratch.keys);
                }
                if (!s.ok()) {
                    return s;
                }
                src.get(scratch.blocks, headSkip, tailEnd - headSkip);
                s = pipelined ? pipeline(firstLba, n, scratch, reducer, !fua) : reduceAndCommit(firstLba, n, scratch, reducer);
                if (!s.ok()) {
                    return s;
                }
            } finally {
                unlock(firstLba, n, true);
            }
            pos = groupEndBytes;
        }
        return fua ? engine.flush() : IoStatus.OK;
    }

    /** Reduces and commits a group of fewer than 2 x {@link #PIPELINE_BLOCKS} blocks on this thread. */
    private IoStatus reduceAndCommit(long firstLba, int n, Scratch scratch, Reducer reducer) {
        awaitOwnTail(scratch);
        for (int i = 0; i < n; i++) {
            reducer.reduce(scratch.blocks, i * BLOCK, scratch.reduced[i]);
        }
        return engine.committer.commitGroup(this, firstLba, scratch.reduced, n);
    }

    /**
     * Reduces and commits a large group of whole blocks in sub-batches of {@link #PIPELINE_BLOCKS}:
     * while the engine's commit thread maps sub-batch k, this thread reduces k+1, so hashing and
     * compression overlap the metadata work instead of adding to it.
     *
     * <p>Write-behind: with writeBehind set and a roomy pool ({@link Engine#writeBehindAllowed}),
     * the last sub-batch is acknowledged once it is queued, not once it is committed, so this
     * thread's next group reduces while it commits. Nothing sees the volume without it: it is
     * this volume's {@link #writeBehind}, which every stripe lock waits for, and flush, snapshots
     * and fsck wait for all of them ({@link Engine#awaitWriteBehind}). Durability is unchanged:
     * only a completed flush makes a write durable.
     */
    private IoStatus pipeline(long firstLba, int n, Scratch scratch, Reducer reducer, boolean writeBehindWanted) {
        Future<IoStatus> inFlight = null;
        boolean behind = false;
        IoStatus s = IoStatus.OK;
        for (int k = 0; k < n; k += PIPELINE_BLOCKS) {
            int m = Math.min(PIPELINE_BLOCKS, n - k);
            if (k > 0) {
                awaitOwnTail(scratch); // sub-batch 0 never overlaps a tail, later ones may
            }
            for (int i = k; i < k + m; i++) {
                reducer.reduce(scratch.blocks, i * BLOCK, scratch.reduced[i]);
            }
            if (inFlight != null) {
                s = engine.await(inFlight);
            }
            if (!s.ok()) {
                inFlight = null;
                break;
            }
            int from = k;
            java.util.concurrent.Callable<IoStatus> commit =
                    () -> engine.committer.commitGroup(this, firstLba + from, scratch.reduced, from, m);
            behind = k + m == n && writeBehindWanted && engine.writeBehindAllowed();
            inFlight = behind ? engine.submitWriteBehind(commit) : engine.submitCommit(commit);
        }
        if (behind) {
            scratch.tail = inFlight;
            writeBehind = inFlight; // FIFO: waiting for it waits for the one it replaces
            return IoStatus.OK;
        }
        if (inFlight != null) {
            s = engine.await(inFlight);
        }
        writeBehind = null; // this group's commits came after any earlier write-behind, and are done
        return s;
    }

    /** Waits for this thread's last write-behind commit, which still reads its scratch reductions. */
    private void awaitOwnTail(Scratch scratch) {
        Future<IoStatus> t = scratch.tail;
        if (t != null) {
            engine.await(t);
            scratch.tail = null;
        }
    }

    /** Waits for this volume's write-behind commit, if any; called with a stripe lock held. */
    private void awaitWriteBehind() {
        Future<IoStatus> f = writeBehind;
        if (f != null) {
            engine.await(f);
            if (writeBehind == f) {
                writeBehind = null; // under a stripe lock nobody can put a newer one meanwhile
            }
        }
    }

    /** Blocks per pipelined sub-batch (256 KiB). */
    static final int PIPELINE_BLOCKS = 64;

    public IoStatus write(long offsetBytes, byte[] src, boolean fua) {
        return write(offsetBytes, ByteBuffer.wrap(src), fua);
    }

    /** Writes zeros over the range; with deallocate the blocks are unmapped instead (read back as zeros). */
    public IoStatus writeZeroes(long offsetBytes, long lengthBytes, boolean deallocate) {
        if (deallocate) {
            return unmap(offsetBytes, lengthBytes);
        }
        IoStatus s = checkWrite(offsetBytes, lengthBytes);
        if (!s.ok()) {
            return s;
        }
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(lengthBytes, GROUP_BLOCKS * BLOCK));
        long pos = offsetBytes;
        while (s.ok() && pos < offsetBytes + lengthBytes) {
            int len = (int) Math.min(zeros.capacity(), offsetBytes + lengthBytes - pos);
            s = write(pos, zeros.clear().limit(len), false);
            pos += len;
        }
        return s;
    }

    /**
     * Deallocates the range: whole blocks leave the block map (metadata only), the partial blocks at
     * either end get zeros written over the unmapped sectors, so every unmapped sector reads as zero.
     */
    public IoStatus unmap(long offsetBytes, long lengthBytes) {
        IoStatus s = checkWrite(offsetBytes, lengthBytes);
        if (!s.ok() || lengthBytes == 0) {
            return s;
        }
        long end = offsetBytes + lengthBytes;
        long firstFull = (offsetBytes + BLOCK - 1) / BLOCK;
        long endFull = end / BLOCK;
        if (firstFull >= endFull) {
            return writeZeroes(offsetBytes, lengthBytes, false);
        }
        if (offsetBytes < firstFull * BLOCK) {
            s = writeZeroes(offsetBytes, firstFull * BLOCK - offsetBytes, false);
        }
        if (s.ok() && end > endFull * BLOCK) {
            s = writeZeroes(endFull * BLOCK, end - endFull * BLOCK, false);
        }
        if (!s.ok()) {
            return s;
        }
        lockAll(true, true);
        try {
            return engine.committer.unmapBlocks(this, firstFull, endFull);
        } finally {
            unlockAll(true);
        }
    }

    public IoStatus flush() {
        return deleted ? IoStatus.NO_VOLUME : engine.flush();
    }

    // ---------------------------------------------------------------- read

    /** Reads dst.remaining() bytes at offsetBytes into dst. */
    public IoStatus read(long offsetBytes, ByteBuffer dst) {
        IoStatus s = check(offsetBytes, dst.remaining());
        if (!s.ok()) {
            return s;
        }
        Scratch scratch = SCRATCH.get();
        long pos = offsetBytes;
        long end = offsetBytes + dst.remaining();
        while (pos < end) {
            long firstLba = pos / BLOCK;
            long groupEndBytes = Math.min(end, (firstLba + GROUP_BLOCKS) * BLOCK);
            int n = (int) ((groupEndBytes + BLOCK - 1) / BLOCK - firstLba);
            lock(firstLba, n, false, true);
            try {
                s = readBlocksLocked(firstLba, n, scratch.blocks, 0, scratch.keys);
            } finally {
                unlock(firstLba, n, false);
            }
            if (!s.ok()) {
                return s;
            }
            int skip = (int) (pos - firstLba * BLOCK);
            dst.put(scratch.blocks, skip, (int) (groupEndBytes - pos));
            pos = groupEndBytes;
        }
        return IoStatus.OK;
    }

    public IoStatus read(long offsetBytes, byte[] dst) {
        return read(offsetBytes, ByteBuffer.wrap(dst));
    }

    /** Whether the block at lba is mapped to stored data (false: unmapped or written as zeros). */
    public boolean isMapped(long lba) {
        awaitWriteBehind();
        byte[] v = engine.store.get(Map.BLOCKMAP, Keys.blockKey(id(), lba));
        return v != null && BlockMapEntry.extentId(v) != BlockMapEntry.ZERO && !shadowed(lba, BlockMapEntry.epoch(v));
    }

    boolean isShadowed(long lba, long entryEpoch) {
        return shadowed(lba, entryEpoch);
    }

    private boolean shadowed(long lba, long entryEpoch) {
        return shadowed(pending, lba, entryEpoch);
    }

    /** Whether any of these pending ranges hides the block-map entry of lba written at entryEpoch. */
    static boolean shadowed(Iterable<PendingUnmap> ranges, long lba, long entryEpoch) {
        for (PendingUnmap p : ranges) {
            if (p.shadows(lba, entryEpoch)) {
                return true;
            }
        }
        return false;
    }

    /** Reads n whole blocks into out[off..]; caller holds the stripes. */
    private IoStatus readBlocksLocked(long firstLba, int n, byte[] out, int off, List<byte[]> keys) {
        keys.clear();
        for (int i = 0; i < n; i++) {
            keys.add(Keys.blockKey(id(), firstLba + i));
        }
        Reducer reducer = Reducer.current();
        ExtentReader reader = ExtentReader.current();
        engine.segmentLifecycle.readLock().lock();
        try {
            List<byte[]> entries = engine.store.multiGet(Map.BLOCKMAP, keys);
            List<byte[]> extentKeys = new ArrayList<>(n);
            int[] blockOf = new int[n];
            for (int i = 0; i < n; i++) {
                byte[] e = entries.get(i);
                long extent = e == null ? BlockMapEntry.ZERO : BlockMapEntry.extentId(e);
                if (extent == BlockMapEntry.ZERO || shadowed(firstLba + i, BlockMapEntry.epoch(e))) {
                    int at = off + i * BLOCK;
                    java.util.Arrays.fill(out, at, at + BLOCK, (byte) 0);
                    continue;
                }
                blockOf[extentKeys.size()] = i;
                extentKeys.add(Keys.u64(extent));
            }
            if (extentKeys.isEmpty()) {
                return IoStatus.OK;
            }
            List<byte[]> records = engine.store.multiGet(Map.EXTENTS, extentKeys);
            ExtentRecord[] rs = new ExtentRecord[records.size()];
            for (int k = 0; k < rs.length; k++) {
                byte[] rv = records.get(k);
                if (rv == null) {
                    return IoStatus.MEDIUM_ERROR;
                }
                rs[k] = ExtentRecord.decode(rv);
            }
            for (int k = 0; k < rs.length; k++) {
                prefetchRun(reader, rs, k);
                ExtentRecord r = rs[k];
                byte[] stored = reader.read(engine.pool, engine.writer, r);
                Codec codec = Codec.of(r.codec());
                if (codec == null || reducer.crc32c(stored, 0, r.length()) != r.crc()
                        || !reducer.decode(codec, stored, 0, r.length(), out, off + blockOf[k] * BLOCK)) {
                    return IoStatus.MEDIUM_ERROR;
                }
            }
            return IoStatus.OK;
        } catch (IOException e) {
            return IoStatus.IO_ERROR;
        } catch (RuntimeException e) {
            return IoStatus.MEDIUM_ERROR;
        } finally {
            reader.dropSpan();
            engine.segmentLifecycle.readLock().unlock();
        }
    }

    /**
     * When extent k starts a run of extents laid out close together in one segment (what a
     * sequential write leaves behind), reads the whole run with one device I/O.
     */
    private void prefetchRun(ExtentReader reader, ExtentRecord[] rs, int k) throws IOException {
        ExtentRecord first = rs[k];
        if (k > 0 && rs[k - 1].segment() == first.segment()
                && Math.abs(first.offset() - rs[k - 1].offset()) < ExtentReader.SPAN_BYTES) {
            return; // inside the run an earlier extent started
        }
        int end = first.offset() + first.length();
        int j = k + 1;
        while (j < rs.length && rs[j].segment() == first.segment() && rs[j].offset() >= end
                && rs[j].offset() - end <= RUN_GAP_BYTES
                && rs[j].offset() + rs[j].length() - first.offset() <= ExtentReader.SPAN_BYTES) {
            end = rs[j].offset() + rs[j].length();
            j++;
        }
        if (j - k >= 2) {
            reader.prefetch(engine.pool, engine.writer, first.segment(), first.offset(), end);
        }
    }

    /** Largest hole between two extents that a run read still covers. */
    private static final int RUN_GAP_BYTES = 16 << 10;

    // ---------------------------------------------------------------- stripes

    /** The stripes blocks [firstLba, firstLba+n) fall in, as a bit mask (STRIPES = 64). */
    private static long stripeMask(long firstLba, int n) {
        long mask = 0;
        for (int i = 0; i < n; i++) {
            mask |= 1L << ((firstLba + i) % STRIPES);
        }
        return mask;
    }

    /** Locks the stripes of [firstLba, firstLba+n); with awaitWriteBehind, then waits for {@link #writeBehind}. */
    private void lock(long firstLba, int n, boolean write, boolean awaitWriteBehind) {
        if (n >= STRIPES) {
            lockAll(write, awaitWriteBehind);
            return;
        }
        long mask = stripeMask(firstLba, n);
        for (int i = 0; i < STRIPES; i++) { // ascending order: no deadlock between overlapping ranges
            if ((mask & (1L << i)) != 0) {
                (write ? stripes[i].writeLock() : stripes[i].readLock()).lock();
            }
        }
        if (awaitWriteBehind) {
            awaitWriteBehind();
        }
    }

    private void unlock(long firstLba, int n, boolean write) {
        if (n >= STRIPES) {
            unlockAll(write);
            return;
        }
        long mask = stripeMask(firstLba, n);
        for (int i = STRIPES - 1; i >= 0; i--) {
            if ((mask & (1L << i)) != 0) {
                (write ? stripes[i].writeLock() : stripes[i].readLock()).unlock();
            }
        }
    }

    private void lockAll(boolean write, boolean awaitWriteBehind) {
        for (ReentrantReadWriteLock l : stripes) {
            (write ? l.writeLock() : l.readLock()).lock();
        }
        if (awaitWriteBehind) {
            awaitWriteBehind();
        }
    }

    private void unlockAll(boolean write) {
        for (int i = STRIPES - 1; i >= 0; i--) {
            (write ? stripes[i].writeLock() : stripes[i].readLock()).unlock();
        }
    }
}
