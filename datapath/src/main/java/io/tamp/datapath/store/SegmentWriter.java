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
 * Appends extents byte-granular to the open segment, staged in one of two aligned direct buffers.
 * Whole {@link #CHUNK_BYTES} chunks go to the device asynchronously, on the segment I/O thread, as
 * soon as they fill; a sealed segment's tail goes the same way while the next segment fills the
 * other buffer. Only {@link #drain} waits: the engine calls it before it makes any metadata durable
 * (flush, memtable switch), so metadata never reaches the disk ahead of the bytes it references.
 * Extents not yet on the device are read from the buffers ({@link #copyIfBuffered}). Appends
 * happen under the engine's commit lock.
 */
public final class SegmentWriter implements AutoCloseable {
    private static final int PAGE = 4096;
    /** Device write size while a segment fills: large O_DIRECT writes run near the device's bandwidth. */
    public static final int CHUNK_BYTES = 1 << 20;

    /** One staging buffer and the writes in flight from it. */
    private static final class Staged {
        final ByteBuffer buffer;
        final ArrayDeque<Future<?>> inFlight = new ArrayDeque<>();
        volatile int segment = -1;
        int cursor;
        /** Bytes handed to the I/O thread. */
        int submitted;
        /** Bytes known to be on the device. */
        volatile int onDevice;

        Staged(int bytes) {
            buffer = Pool.allocateAligned(bytes);
        }
    }

    private final Pool pool;
    private final SegmentTable segments;
    private final ExecutorService io = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tamp-segment-io");
        t.setDaemon(true);
        return t;
    });
    /** Guards buffer reuse against readers copying from a buffer. */
    private final ReentrantLock bufferLock = new ReentrantLock();
    private Staged open;
    private Staged sealed;

    public SegmentWriter(Pool pool, SegmentTable segments) {
        this.pool = pool;
        this.segments = segments;
        open = new Staged(segments.segmentBytes());
        sealed = new Staged(segments.segmentBytes());
    }

    public int segment() {
        return open.segment;
    }

    public int remaining() {
        return open.segment < 0 ? 0 : segments.segmentBytes() - open.cursor;
    }

    /**
     * Appends src[off, off+len) and returns its offset in {@link #segment()}, opening a new segment
     * when the current one cannot hold it. Returns -1 when no free segment is left.
     */
    public int append(byte[] src, int off, int len, Batch batch) throws IOException {
        if (open.segment < 0 || open.cursor + len > segments.segmentBytes()) {
            if (!roll(batch)) {
                return -1;
            }
        }
        Staged s = open;
        int at = s.cursor;
        s.buffer.put(at, src, off, len);
        s.cursor += len;
        if ((s.cursor & -PAGE) - s.submitted >= CHUNK_BYTES) {
            submit(s, s.submitted & -PAGE, s.cursor & -PAGE, s.cursor & -PAGE);
        }
        return at;
    }

    /** Writes s.buffer[from, to) on the I/O thread; once done, bytes up to {@code valid} are on the device. */
    private void submit(Staged s, int from, int to, int valid) {
        int seg = s.segment;
        ByteBuffer slice = s.buffer.slice(from, to - from);
        s.submitted = valid;
        s.inFlight.add(io.submit(() -> {
            pool.write(seg, from, slice);
            s.onDevice = Math.max(s.onDevice, valid);
            return null;
        }));
    }

    /** Submits everything appended, the partial last page included (zero-padded). */
    private void submitTail(Staged s) {
        if (s.submitted >= s.cursor) {
            return; // everything appended is on the device or on its way (await waits for it)
        }
        int to = (s.cursor + PAGE - 1) & -PAGE;
        for (int i = s.cursor; i < to; i++) {
            s.buffer.put(i, (byte) 0); // the device never holds stale bytes after the cursor
        }
        submit(s, s.submitted & -PAGE, to, s.cursor);
    }

    private static void await(Staged s) throws IOException {
        while (!s.inFlight.isEmpty()) {
            try {
                s.inFlight.peek().get();
                s.inFlight.poll();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted waiting for a segment write", e);
            } catch (ExecutionException e) {
                throw new IOException("segment write failed: " + e.getCause().getMessage(), e.getCause());
            }
        }
    }

    private boolean roll(Batch batch) throws IOException {
        if (open.segment >= 0) {
            sealCurrent(batch);
        }
        int seg = segments.allocate(batch);
        if (seg < 0) {
            return false;
        }
        bufferLock.lock();
        try {
            if (sealed.segment == seg) {
                // the cleaner freed it (after a drain) and it comes back: the old buffer no longer speaks for it
                sealed.segment = -1;
            }
            open.segment = seg;
            open.cursor = 0;
            open.submitted = 0;
            open.onDevice = 0;
            open.buffer.put(0, new byte[PAGE]);
        } finally {
            bufferLock.unlock();
        }
        return true;
    }

    /**
     * Seals the open segment: records it, starts writing its tail, and keeps its buffer readable
     * until the writes complete; the next append opens a new segment in the other buffer.
     */
    public void sealCurrent(Batch batch) throws IOException {
        if (open.segment < 0) {
            return;
        }
        await(sealed); // the other buffer is about to be reused
        submitTail(open);
        segments.setWritten(open.segment, open.cursor, batch);
        segments.seal(open.segment, batch);
        bufferLock.lock();
        try {
            Staged s = sealed;
            sealed = open;
            open = s;
            open.segment = -1;
        } finally {
            bufferLock.unlock();
        }
    }

    /** Records the open segment's cursor in batch; the bytes follow per the class contract. */
    public void recordCursor(Batch batch) {
        if (open.segment >= 0) {
            segments.setWritten(open.segment, open.cursor, batch);
        }
    }

    /** Puts every appended byte on the device (the partial last page included) and waits for it. */
    public void drain() throws IOException {
        await(sealed);
        if (open.segment < 0) {
            return;
        }
        submitTail(open);
        await(open);
    }

    /**
     * Copies r's stored bytes into dst when they are still only in a buffer; returns false when
     * they are on the device (the caller reads them there).
     */
    public boolean copyIfBuffered(ExtentRecord r, byte[] dst) {
        bufferLock.lock();
        try {
            return copyIfIn(open, r, dst) || copyIfIn(sealed, r, dst);
        } finally {
            bufferLock.unlock();
        }
    }

    /**
     * How far segment's bytes are on the device right now: everything for a segment no buffer
     * holds, else the buffer's device cursor. Bytes below it never change again.
     */
    public int onDeviceLimit(int segment) {
        bufferLock.lock();
        try {
            if (segment == open.segment) {
                return open.onDevice;
            }
            if (segment == sealed.segment) {
                return sealed.onDevice;
            }
            return Integer.MAX_VALUE;
        } finally {
            bufferLock.unlock();
        }
    }

    private static boolean copyIfIn(Staged s, ExtentRecord r, byte[] dst) {
        if (r.segment() != s.segment || r.offset() + r.length() <= s.onDevice) {
            return false;
        }
        s.buffer.get(r.offset(), dst, 0, r.length());
        return true;
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
