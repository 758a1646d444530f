package io.tamp.metadata.store;

/**
 * Big-endian key encodings, so RocksDB's bytewise order is numeric order and a volume's block map is
 * one contiguous key range.
 */
public final class Keys {
    private Keys() {}

    public static byte[] u64(long v) {
        byte[] k = new byte[8];
        putLong(k, 0, v);
        return k;
    }

    public static byte[] u32(int v) {
        byte[] k = new byte[4];
        putInt(k, 0, v);
        return k;
    }

    /** (volume id, lba) → 16-byte block-map key. */
    public static byte[] blockKey(long volumeId, long lba) {
        byte[] k = new byte[16];
        putLong(k, 0, volumeId);
        putLong(k, 8, lba);
        return k;
    }

    /** (segment, extent id) → key of the segment's extent list. */
    public static byte[] segmentExtentKey(int segment, long extentId) {
        byte[] k = new byte[12];
        putInt(k, 0, segment);
        putLong(k, 4, extentId);
        return k;
    }

    /** (volume id, epoch) → key of a pending unmap range. */
    public static byte[] pendingKey(long volumeId, long epoch) {
        byte[] k = new byte[16];
        putLong(k, 0, volumeId);
        putLong(k, 8, epoch);
        return k;
    }

    public static void putLong(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }

    public static void putInt(byte[] b, int off, int v) {
        for (int i = 3; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }

    public static long getLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }

    public static int getInt(byte[] b, int off) {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }

    /** Little-endian 64-bit, the operand format of RocksDB's uint64add merge operator. */
    public static byte[] le64(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) v;
            v >>>= 8;
        }
        return b;
    }

    public static long getLe64(byte[] b) {
        if (b == null) {
            return 0;
        }
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (b[i] & 0xFF);
        }
        return v;
    }
}
