package io.tamp.datapath.volume;

import io.tamp.metadata.store.CorruptMetadataException;
import io.tamp.metadata.store.Keys;

/**
 * A block-map value: the extent an LBA maps to ({@link #ZERO} for a block written as zeros) and the
 * epoch of the batch that wrote it (pending unmap ranges shadow entries older than themselves).
 *
 * <pre>
 *  0          8          16
 *  +----------+----------+
 *  | extentId |  epoch   |
 *  +----------+----------+
 * </pre>
 */
public final class BlockMapEntry {
    public static final long ZERO = 0;
    static final int BYTES = 16;

    private BlockMapEntry() {}

    static byte[] encode(long extentId, long epoch) {
        byte[] v = new byte[BYTES];
        Keys.putLong(v, 0, extentId);
        Keys.putLong(v, 8, epoch);
        return v;
    }

    public static long extentId(byte[] v) {
        check(v);
        return Keys.getLong(v, 0);
    }

    public static long epoch(byte[] v) {
        check(v);
        return Keys.getLong(v, 8);
    }

    private static void check(byte[] v) {
        if (v.length != BYTES) {
            throw new CorruptMetadataException("block-map entry of " + v.length + " bytes");
        }
    }
}
