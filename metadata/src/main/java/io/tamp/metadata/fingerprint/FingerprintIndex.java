package io.tamp.metadata.fingerprint;

import java.io.Closeable;
import java.util.function.ObjLongConsumer;

/**
 * Maps a 32-byte SHA-256 block fingerprint to the id of the extent holding that block.
 *
 * <p>Every method is safe to call from several threads at once. Fingerprints are passed as
 * {@code fp[off..off + 32)} so callers can hand in a slice of a larger buffer without copying.
 */
public interface FingerprintIndex extends Closeable {

    /** Length of a SHA-256 fingerprint. */
    int FINGERPRINT_BYTES = 32;

    /** Returned by {@link #get} when the fingerprint is not indexed. */
    long NO_EXTENT = -1L;

    /**
     * Extent id for the fingerprint at {@code fp[off..off + 32)}, or {@link #NO_EXTENT}.
     * Allocates nothing per call: this sits on the write path of every deduplicated block.
     */
    long get(byte[] fp, int off);

    /**
     * Returned by {@link #putIfAbsent} when the index has no room for another entry: nothing was
     * inserted. The block is then stored without being deduplicated against later writes.
     */
    long FULL = -2L;

    /**
     * Maps fp to extentId unless fp is already mapped; returns the existing extent id, or
     * {@link #NO_EXTENT} when the new mapping was inserted, or {@link #FULL} when it could not be.
     * One lookup for the common miss-then-insert.
     */
    long putIfAbsent(byte[] fp, int off, long extentId);

    /** Maps the fingerprint to {@code extentId}, replacing any previous mapping. */
    void put(byte[] fp, int off, long extentId);

    /**
     * Removes the mapping only if it currently maps to {@code extentId}, so a stale free of an
     * extent cannot drop a newer mapping.
     *
     * @return whether a mapping was removed
     */
    boolean remove(byte[] fp, int off, long extentId);

    /** Number of indexed fingerprints. */
    long size();

    /**
     * Visits every entry with a fresh copy of its fingerprint and its extent id; used by fsck and
     * the post-crash scrub. The visitor must not call back into this index (segment locks are
     * held while it runs); collect what to change and apply it afterwards.
     */
    void forEach(ObjLongConsumer<byte[]> visitor);

    @Override
    void close();

    /** Throws unless {@code fp[off..off + 32)} lies inside {@code fp}. */
    static void checkFingerprint(byte[] fp, int off) {
        java.util.Objects.checkFromIndexSize(off, FINGERPRINT_BYTES, fp.length);
    }
}
