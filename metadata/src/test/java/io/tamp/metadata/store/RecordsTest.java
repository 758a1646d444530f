package io.tamp.metadata.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RecordsTest {
    @Test
    void extentRecordLayoutAndRoundTrip() {
        byte[] fp = new byte[32];
        new SplittableRandom(1).nextBytes(fp);
        ExtentRecord r = new ExtentRecord(7, 123_456, 2048, (byte) 1, 0xCAFEBABE, fp);
        byte[] enc = r.encode();
        assertEquals(49, enc.length);
        assertEquals(49, ExtentRecord.BYTES);
        ExtentRecord back = ExtentRecord.decode(enc);
        assertEquals(r.segment(), back.segment());
        assertEquals(r.offset(), back.offset());
        assertEquals(r.length(), back.length());
        assertEquals(r.codec(), back.codec());
        assertEquals(r.crc(), back.crc());
        assertArrayEquals(fp, back.fingerprint());
        assertTrue(back.fingerprintEquals(fp, 0));
        assertEquals(7, Keys.getInt(enc, ExtentRecord.SEGMENT_OFFSET));
        assertEquals(2048, Keys.getInt(enc, ExtentRecord.LENGTH_OFFSET));
        assertThrows(CorruptMetadataException.class, () -> ExtentRecord.decode(Arrays.copyOf(enc, 48)));
        ExtentRecord moved = r.movedTo(9, 10);
        assertEquals(9, moved.segment());
        assertEquals(10, moved.offset());
        assertEquals(r.crc(), moved.crc());
    }

    @Test
    void volumeRecordRoundTripAndMalformedInput() {
        VolumeRecord r = new VolumeRecord(42, "vol-ünïcode", 1L << 40, 1700000000000L, -5L, VolumeRecord.State.DELETING);
        VolumeRecord back = VolumeRecord.decode(42, r.encode());
        assertEquals(r, back);
        byte[] enc = r.encode();
        assertThrows(CorruptMetadataException.class, () -> VolumeRecord.decode(42, Arrays.copyOf(enc, enc.length - 1)));
        assertThrows(CorruptMetadataException.class, () -> VolumeRecord.decode(42, new byte[10]));
        byte[] badState = enc.clone();
        badState[24] = 9;
        assertThrows(CorruptMetadataException.class, () -> VolumeRecord.decode(42, badState));
    }

    /** The layout a record had before snapshots: no kind/source trailer after the name. */
    private static byte[] legacyVolumeRecord(long size, long created, long serial, int state, String name) {
        byte[] n = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] b = new byte[27 + n.length];
        Keys.putLong(b, 0, size);
        Keys.putLong(b, 8, created);
        Keys.putLong(b, 16, serial);
        b[24] = (byte) state;
        b[25] = (byte) (n.length >>> 8);
        b[26] = (byte) n.length;
        System.arraycopy(n, 0, b, 27, n.length);
        return b;
    }

    @Test
    void volumeRecordWrittenBeforeSnapshotsDecodesAsAVolume() {
        VolumeRecord r = VolumeRecord.decode(7, legacyVolumeRecord(1L << 30, 1600000000000L, 99, 1, "old-vol"));
        assertEquals(new VolumeRecord(7, "old-vol", 1L << 30, 1600000000000L, 99, VolumeRecord.State.DELETING), r);
        assertEquals(VolumeRecord.Kind.VOLUME, r.kind());
        assertEquals(-1, r.sourceId());
        assertFalse(r.isSnapshot());
        byte[] reencoded = r.encode();
        assertEquals(27 + 7 + 9, reencoded.length, "re-encoding writes the trailer");
        assertEquals(r, VolumeRecord.decode(7, reencoded));
    }

    @Test
    void snapshotRecordCarriesKindAndSource() {
        VolumeRecord s = new VolumeRecord(12, "nightly", 1L << 20, 1700000000000L, 3, VolumeRecord.State.CREATING,
                VolumeRecord.Kind.SNAPSHOT, 5);
        byte[] enc = s.encode();
        assertEquals(27 + 7 + 9, enc.length);
        assertEquals(VolumeRecord.Kind.SNAPSHOT.ordinal(), enc[27 + 7]);
        assertEquals(5, Keys.getLong(enc, 27 + 7 + 1));
        VolumeRecord back = VolumeRecord.decode(12, enc);
        assertEquals(s, back);
        assertTrue(back.isSnapshot());
        assertEquals(VolumeRecord.State.ACTIVE, back.withState(VolumeRecord.State.ACTIVE).state());
        assertEquals(5, back.withName("weekly").withSize(2L << 20).sourceId(), "with* keep kind and source");
        byte[] badKind = enc.clone();
        badKind[27 + 7] = 2;
        assertThrows(CorruptMetadataException.class, () -> VolumeRecord.decode(12, badKind));
        byte[] volumeWithSource = enc.clone();
        volumeWithSource[27 + 7] = (byte) VolumeRecord.Kind.VOLUME.ordinal();
        assertThrows(CorruptMetadataException.class, () -> VolumeRecord.decode(12, volumeWithSource));
        assertThrows(CorruptMetadataException.class, () -> VolumeRecord.decode(12, Arrays.copyOf(enc, enc.length + 1)));
        assertThrows(IllegalArgumentException.class, () -> new VolumeRecord(1, "x", 4096, 0, 0,
                VolumeRecord.State.ACTIVE, VolumeRecord.Kind.SNAPSHOT, -1));
    }

    @Test
    void keysSortNumerically() {
        byte[] a = Keys.blockKey(1, 255);
        byte[] b = Keys.blockKey(1, 256);
        byte[] c = Keys.blockKey(2, 0);
        assertTrue(Arrays.compareUnsigned(a, b) < 0);
        assertTrue(Arrays.compareUnsigned(b, c) < 0);
        assertEquals(-3L, Keys.getLe64(Keys.le64(-3L)));
        assertEquals(0, Keys.getLe64(null));
        SplittableRandom r = new SplittableRandom(2);
        for (int i = 0; i < 1000; i++) {
            long v = r.nextLong();
            assertEquals(v, Keys.getLong(Keys.u64(v), 0));
            int w = r.nextInt();
            assertEquals(w, Keys.getInt(Keys.u32(w), 0));
        }
    }
}
