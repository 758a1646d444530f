package io.tamp.metadata.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
