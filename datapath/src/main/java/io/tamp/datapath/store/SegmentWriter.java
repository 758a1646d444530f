package io.tamp.datapath.store;

import io.tamp.datapath.pool.Pool;
import io.tamp.metadata.store.Batch;
import io.tamp.metadata.store.ExtentRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Appends extents byte-granular to the open segment, staged in an aligned direct buffer. Whole
 * {@link #CHUNK_BYTES} chunks go to the device asynchronously, on the segment I/O thread, as soon as
 * they fill; the partial tail goes only when the engine calls {@link #drain} — before it makes any
 * metadata durable (flush, memtable flush), and before every commit while a memtable is close to
 * switching (when RocksDB may write the WAL on its own). Extents not yet on the device are read
 * from the buffer ({@link #copyIfBuffered}). Appends happen under the engine's commit lock.
 */
public final class SegmentWriter implements AutoCloseable {
    private static final int PAGE = 4096;
    /** Device write size while a segment fills: large O_DIRECT writes run near the device's bandwidth. */
    public static final int CHUNK_BYTES = 1 << 20;

    private final Pool pool;
    private final SegmentTable segments;
    private final ByteBuffer buffer;
    private final ExecutorService io = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tamp-segment-io");
        t.setDaemon(true);
        return t;
    });
    private final ArrayDeque<Future<?>> inFlight = new ArrayDeque<>();
    /** Guards the buffer against reuse while a reader copies from it. */
    private final ReentrantLock bufferLock = new ReentrantLock();
    private volatile int segment = -1;
    private int cursor;
    /** Bytes handed to the I/O thread (page-aligned unless the tail was drained). */
    private int submitted;
    /** Bytes of the open segment known to be on the device. */
    private volatile int onDevice;

    public SegmentWriter(Pool pool, SegmentTable segments) {
        this.pool = pool;
        this.segments = segments;
        this.buffer = Pool.allocateAligned(segments.segmentBytes());
    }

    public int segment() {
        return segment;
    }

    public int remaining() {
        return segment < 0 ? 0 : segments.segmentBytes() - cursor;
    }

    /**
     * Appends src[off, off+len) and returns its offset in {@link #segment()}, opening a new segment
     * when the current one cannot hold it. Returns -1 when no free segment is left.
     */
    public int append(byte[] src, int off, int len, Batch batch) throws IOException {
        if (segment < 0 || cursor + len > segments.segmentBytes()) {
            if (!roll(batch)) {
                return -1;
            }
        }
        int at = cursor;
        buffer.put(at, src, off, len);
        cursor += len;
        if ((cursor & -PAGE) - submitted >= CHUNK_BYTES) {
            submit(submitted & -PAGE, cursor & -PAGE);
        }
        return at;
    }

    private void submit(int from, int to) {
        int seg = segment;
        ByteBuffer slice = buffer.slice(from, to - from);
        submitted = to;
        inFlight.add(io.submit(() -> {
            pool.write(seg, from, slice);
            onDevice = Math.max(onDevice, to);
            return null;
        }));
    }

    private void awaitInFlight() throws IOException {
        while (!inFlight.isEmpty()) {
            try {
                inFlight.peek().get();
                inFlight.poll();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted waiting for a segment write", e);
            } catch (ExecutionException e) {
                throw new IOException("segment write failed: " + e.getCause().getMessage(), e.getCause());
            }
        }
    }

    private boolean roll(Batch batch) throws IOException {
        if (segment >= 0) {
            sealCurrent(batch);
        }
        int seg = segments.allocate(batch);
        if (seg < 0) {
            return false;
        }
        bufferLock.lock();
        try {
            segment = seg;
            cursor = 0;
            submitted = 0;
            onDevice = 0;
            buffer.put(0, new byte[PAGE]);
        } finally {
            bufferLock.unlock();
        }
        return true;
    }

    /** Seals the open segment (after putting all of it on the device); the next append opens a new one. */
    public void sealCurrent(Batch batch) throws IOException {
        if (segment < 0) {
            return;
        }
        drain();
        segments.setWritten(segment, cursor, batch);
        segments.seal(segment, batch);
        bufferLock.lock();
        try {
            segment = -1;
        } finally {
            bufferLock.unlock();
        }
    }

    /** Records the open segment's cursor in batch; the bytes follow per the class contract. */
    public void recordCursor(Batch batch) {
        if (segment >= 0) {
            segments.setWritten(segment, cursor, batch);
        }
    }

    /** Puts every appended byte on the device (the partial last page included) and waits for it. */
    public void drain() throws IOException {
        if (segment < 0) {
            return;
        }
        awaitInFlight();
        if (onDevice >= cursor) {
            return;
        }
        int from = onDevice & -PAGE;
        int to = (cursor + PAGE - 1) & -PAGE;
        for (int i = cursor; i < to; i++) {
            buffer.put(i, (byte) 0); // the device never holds stale bytes after the cursor
        }
        pool.write(segment, from, buffer.slice(from, to - from));
        submitted = cursor;
        onDevice = cursor;
    }

    /**
     * Copies r's stored bytes into dst when they are still only in the buffer; returns false when
     * they are on the device (the caller reads them there).
     */
    public boolean copyIfBuffered(ExtentRecord r, byte[] dst) {
        if (r.segment() != segment || r.offset() + r.length() <= onDevice) {
            return false;
        }
        bufferLock.lock();
        try {
            if (r.segment() != segment || r.offset() + r.length() <= onDevice) {
                return false;
            }
            buffer.get(r.offset(), dst, 0, r.length());
            return true;
        } finally {
            bufferLock.unlock();
        }
    }

    @Override
    public void close() {
        io.shutdown();
        try {
            io.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
