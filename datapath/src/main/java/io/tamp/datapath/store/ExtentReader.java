package io.tamp.datapath.store;

import io.tamp.datapath.pool.Pool;
import io.tamp.metadata.store.ExtentRecord;
import java.io.IOException;
import java.nio.ByteBuffer;

/** Reads an extent's stored bytes from the pool with aligned I/O. One per thread. */
public final class ExtentReader {
    private static final int PAGE = 4096;
    private static final ThreadLocal<ExtentReader> PER_THREAD = ThreadLocal.withInitial(ExtentReader::new);

    /** Largest span read with one device I/O when extents lie close together (sequential reads). */
    public static final int SPAN_BYTES = 1 << 20;

    private final ByteBuffer aligned = Pool.allocateAligned(2 * PAGE);
    private final byte[] bytes = new byte[2 * PAGE];
    private final ByteBuffer span = Pool.allocateAligned(SPAN_BYTES + 2 * PAGE);
    private int spanSegment = -1;
    private int spanFrom;
    private int spanTo;

    public static ExtentReader current() {
        return PER_THREAD.get();
    }

    /**
     * Reads the stored bytes of r into the returned array, at [0, r.length()): from the open
     * segment's buffer when they are not on the device yet, else from the device.
     */
    public byte[] read(Pool pool, SegmentWriter writer, ExtentRecord r) throws IOException {
        if (r.length() > 0 && r.length() <= PAGE && writer.copyIfBuffered(r, bytes)) {
            return bytes;
        }
        int from = r.offset() & -PAGE;
        int to = (r.offset() + r.length() + PAGE - 1) & -PAGE;
        if (r.length() <= 0 || r.length() > PAGE || r.offset() < 0 || to > pool.segmentBytes()) {
            throw new IOException("extent location out of bounds: segment " + r.segment() + " offset " + r.offset()
                    + " length " + r.length());
        }
        if (r.segment() == spanSegment && r.offset() >= spanFrom && r.offset() + r.length() <= spanTo) {
            span.get(r.offset() - spanFrom, bytes, 0, r.length());
            return bytes;
        }
        ByteBuffer view = aligned.slice(0, to - from);
        pool.read(r.segment(), from, view);
        aligned.get(r.offset() - from, bytes, 0, r.length());
        return bytes;
    }

    /**
     * Reads [fromOffset, toOffset) of a segment (at most {@link #SPAN_BYTES}) with one aligned
     * device I/O; later {@link #read} calls for extents inside it copy from memory. Bytes still in
     * the open segment's buffer are not covered: {@link #read} checks the buffer first.
     */
    public void prefetch(Pool pool, SegmentWriter writer, int segment, int fromOffset, int toOffset)
            throws IOException {
        // only bytes already on the device: a span read ahead of an in-flight write would go stale
        int limit = writer.onDeviceLimit(segment);
        int from = fromOffset & -PAGE;
        int to = Math.min(Math.min(pool.segmentBytes(), (toOffset + PAGE - 1) & -PAGE), limit & -PAGE);
        if (from < 0 || to - from > SPAN_BYTES + PAGE || from >= to) {
            spanSegment = -1;
            return;
        }
        spanSegment = -1;
        pool.read(segment, from, span.slice(0, to - from));
        spanSegment = segment;
        spanFrom = from;
        spanTo = Math.min(to, limit);
    }

    /** Forgets the prefetched span (its segment may be freed once the caller's lock is released). */
    public void dropSpan() {
        spanSegment = -1;
    }
}
