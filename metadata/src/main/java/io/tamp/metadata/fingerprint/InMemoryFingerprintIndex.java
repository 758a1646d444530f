package io.tamp.metadata.fingerprint;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import java.util.function.ObjLongConsumer;

/**
 * Heap {@link FingerprintIndex} on a {@link HashMap} guarded by one monitor; for tests and as
 * the fallback when the Chronicle implementation cannot load. Lookups reuse one probe key under
 * the monitor, so {@link #get} allocates nothing.
 */
public final class InMemoryFingerprintIndex implements FingerprintIndex {

    private static final VarHandle LONG_BE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final Map<Key, Long> map = new HashMap<>();
    private final Key probe = new Key();

    @Override
    public synchronized long get(byte[] fp, int off) {
        Long extentId = map.get(probe.set(fp, off));
        return extentId == null ? NO_EXTENT : extentId;
    }

    @Override
    public long putIfAbsent(byte[] fp, int off, long extentId) {
        Key key = new Key().set(fp, off);
        synchronized (this) {
            Long existing = map.putIfAbsent(key, extentId);
            return existing == null ? NO_EXTENT : existing;
        }
    }

    @Override
    public void put(byte[] fp, int off, long extentId) {
        Key key = new Key().set(fp, off);
        synchronized (this) {
            map.put(key, extentId);
        }
    }

    @Override
    public synchronized boolean remove(byte[] fp, int off, long extentId) {
        Key key = probe.set(fp, off);
        Long current = map.get(key);
        if (current == null || current != extentId) {
            return false;
        }
        map.remove(key);
        return true;
    }

    @Override
    public synchronized long size() {
        return map.size();
    }

    @Override
    public synchronized void forEach(ObjLongConsumer<byte[]> visitor) {
        for (Map.Entry<Key, Long> e : map.entrySet()) {
            visitor.accept(e.getKey().toBytes(), e.getValue());
        }
    }

    @Override
    public synchronized void close() {
        map.clear();
    }

    /** A fingerprint as four big-endian longs; mutable only while it is the probe. */
    private static final class Key {
        private long w0;
        private long w1;
        private long w2;
        private long w3;

        Key set(byte[] fp, int off) {
            FingerprintIndex.checkFingerprint(fp, off);
            w0 = (long) LONG_BE.get(fp, off);
            w1 = (long) LONG_BE.get(fp, off + 8);
            w2 = (long) LONG_BE.get(fp, off + 16);
            w3 = (long) LONG_BE.get(fp, off + 24);
            return this;
        }

        byte[] toBytes() {
            byte[] fp = new byte[FINGERPRINT_BYTES];
            LONG_BE.set(fp, 0, w0);
            LONG_BE.set(fp, 8, w1);
            LONG_BE.set(fp, 16, w2);
            LONG_BE.set(fp, 24, w3);
            return fp;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.w0 == w0 && k.w1 == w1 && k.w2 == w2 && k.w3 == w3;
        }

        @Override
        public int hashCode() {
            // Mix all words: test fingerprints are not always uniformly random like SHA-256.
            long h = w0 * 0x9E3779B97F4A7C15L ^ w1 * 0xC2B2AE3D27D4EB4FL
                    ^ w2 * 0x165667B19E3779F9L ^ w3 * 0x27D4EB2F165667C5L;
            return (int) (h ^ (h >>> 32));
        }
    }
}
