package io.tamp.datapath.reduce;

/** The reduction of one 4 KiB block; reused across blocks by its owner. */
public final class ReducedBlock {
    public static final int FINGERPRINT_BYTES = 32;

    public boolean zero;
    public final byte[] fingerprint = new byte[FINGERPRINT_BYTES];
    /** Encoded bytes [0, storedLength). */
    public final byte[] stored;
    public int storedLength;
    public Codec codec;
    public int crc;

    ReducedBlock(int capacity) {
        stored = new byte[capacity];
    }
}
