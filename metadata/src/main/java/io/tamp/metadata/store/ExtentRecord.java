package io.tamp.metadata.store;

import java.util.Arrays;

/**
 * Where an extent's bytes live and how to check and decode them.
 *
 * <pre>
 *  0        4        8        12  13       17                               49
 *  +--------+--------+--------+---+--------+--------------------------------+
 *  |segment | offset | length |cod| crc32c |  sha-256 fingerprint (32)      |
 *  +--------+--------+--------+---+--------+--------------------------------+
 * </pre>
 * Offsets are byte-granular within the segment; length is the stored (compressed) length.
 */
public record ExtentRecord(int segment, int offset, int length, byte codec, int crc, byte[] fingerprint) {
    public static final int SEGMENT_OFFSET = 0;
    public static final int OFFSET_OFFSET = 4;
    public static final int LENGTH_OFFSET = 8;
    public static final int CODEC_OFFSET = 12;
    public static final int CRC_OFFSET = 13;
    public static final int FINGERPRINT_OFFSET = 17;
    public static final int FINGERPRINT_BYTES = 32;
    public static final int BYTES = FINGERPRINT_OFFSET + FINGERPRINT_BYTES;

    public byte[] encode() {
        byte[] b = new byte[BYTES];
        Keys.putInt(b, SEGMENT_OFFSET, segment);
        Keys.putInt(b, OFFSET_OFFSET, offset);
        Keys.putInt(b, LENGTH_OFFSET, length);
        b[CODEC_OFFSET] = codec;
        Keys.putInt(b, CRC_OFFSET, crc);
        System.arraycopy(fingerprint, 0, b, FINGERPRINT_OFFSET, FINGERPRINT_BYTES);
        return b;
    }

    public static ExtentRecord decode(byte[] b) {
        if (b.length != BYTES) {
            throw new CorruptMetadataException("extent record of " + b.length + " bytes, expected " + BYTES);
        }
        return new ExtentRecord(Keys.getInt(b, SEGMENT_OFFSET), Keys.getInt(b, OFFSET_OFFSET),
                Keys.getInt(b, LENGTH_OFFSET), b[CODEC_OFFSET], Keys.getInt(b, CRC_OFFSET),
                Arrays.copyOfRange(b, FINGERPRINT_OFFSET, FINGERPRINT_OFFSET + FINGERPRINT_BYTES));
    }

    public ExtentRecord movedTo(int newSegment, int newOffset) {
        return new ExtentRecord(newSegment, newOffset, length, codec, crc, fingerprint);
    }

    public boolean fingerprintEquals(byte[] fp, int off) {
        return Arrays.equals(fingerprint, 0, FINGERPRINT_BYTES, fp, off, off + FINGERPRINT_BYTES);
    }
}
