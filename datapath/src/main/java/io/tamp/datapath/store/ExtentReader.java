package io.tamp.datapath.store;

import io.tamp.datapath.pool.Pool;
import io.tamp.metadata.store.ExtentRecord;
import java.io.IOException;
import java.nio.ByteBuffer;

/** Reads an extent's stored bytes from the pool with aligned I/O. One per thread. */
public final class ExtentReader {
    private static final int PAGE = 4096;
    private static final ThreadLocal<ExtentReader> PER_THREAD = ThreadLocal.withInitial(ExtentReader::new);

    private final ByteBuffer aligned = Pool.allocateAligned(2 * PAGE);
    private final byte[] bytes = new byte[2 * PAGE];

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
        ByteBuffer view = aligned.slice(0, to - from);
        pool.read(r.segment(), from, view);
        aligned.get(r.offset() - from, bytes, 0, r.length());
        return bytes;
    }
}
