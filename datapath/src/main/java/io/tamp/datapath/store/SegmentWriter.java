package io.tamp.datapath.store;

import io.tamp.datapath.pool.Pool;
import io.tamp.metadata.store.Batch;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Appends extents byte-granular to the open segment. The segment is staged in an aligned direct
 * buffer; {@link #writeTail} puts the bytes appended since the last call on the device (rewriting the
 * partially filled last 4 KiB page), which the engine does before committing the metadata that
 * references them. Used only under the engine's commit lock.
 */
public final class SegmentWriter {
    private static final int PAGE = 4096;

    private final Pool pool;
    private final SegmentTable segments;
    private final ByteBuffer buffer;
    private int segment = -1;
    private int cursor;
    /** Bytes of the open segment already written to the device. */
    private int deviceCursor;

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
        return at;
    }

    private boolean roll(Batch batch) throws IOException {
        if (segment >= 0) {
            sealCurrent(batch);
        }
        int seg = segments.allocate(batch);
        if (seg < 0) {
            return false;
        }
        segment = seg;
        cursor = 0;
        deviceCursor = 0;
        buffer.clear();
        buffer.put(0, new byte[PAGE]);
        return true;
    }

    /** Seals the open segment (after writing its tail); the next append opens a new one. */
    public void sealCurrent(Batch batch) throws IOException {
        if (segment < 0) {
            return;
        }
        writeTail(batch);
        segments.seal(segment, batch);
        segment = -1;
    }

    /** Writes the appended-but-unwritten bytes to the device and records the cursor in batch. */
    public void writeTail(Batch batch) throws IOException {
        if (segment < 0 || cursor == deviceCursor) {
            return;
        }
        int from = deviceCursor & -PAGE;
        int to = (cursor + PAGE - 1) & -PAGE;
        // zero the slack after the cursor in the last page so the device never holds stale bytes there
        for (int i = cursor; i < to; i++) {
            buffer.put(i, (byte) 0);
        }
        pool.write(segment, from, buffer.slice(from, to - from));
        deviceCursor = cursor;
        segments.setWritten(segment, cursor, batch);
    }
}
