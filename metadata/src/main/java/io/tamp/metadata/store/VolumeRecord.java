package io.tamp.metadata.store;

import java.nio.charset.StandardCharsets;

/**
 * A volume or a snapshot in the catalog.
 *
 * <pre>
 *  0       8        16       24      25      27               27+nlen 28+nlen   36+nlen
 *  +-------+--------+--------+-------+-------+----------------+-------+---------+
 *  | size  | created| wwnLow | state | nlen  | name (utf-8)   | kind  | source  |
 *  +-------+--------+--------+-------+-------+----------------+-------+---------+
 * </pre>
 * {@code wwnLow} is a random 64-bit identity chosen at creation, stable for the volume's life
 * (frontends build NAA / NGUID from it). The {@code kind | source} trailer came with snapshots: a
 * record that ends with its name was written before and is a {@link Kind#VOLUME}. {@code source}
 * is the id of the volume a snapshot was taken of, -1 for a volume.
 */
public record VolumeRecord(long id, String name, long sizeBytes, long createdMillis, long serial, State state,
                           Kind kind, long sourceId) {
    /**
     * ACTIVE: in use. DELETING: its block map is being released by the unmap drain. CREATING: a
     * snapshot whose copy is still being committed; one found at open was cut short by a crash and
     * is released like a DELETING one.
     */
    public enum State { ACTIVE, DELETING, CREATING }

    public enum Kind { VOLUME, SNAPSHOT }

    private static final int SIZE_OFFSET = 0;
    private static final int CREATED_OFFSET = 8;
    private static final int SERIAL_OFFSET = 16;
    private static final int STATE_OFFSET = 24;
    private static final int NAME_LENGTH_OFFSET = 25;
    private static final int NAME_OFFSET = 27;
    /** kind (1 byte) and source id (8 bytes) after the name. */
    static final int TRAILER_BYTES = 9;

    public VolumeRecord {
        if ((kind == Kind.VOLUME) != (sourceId == -1)) {
            throw new IllegalArgumentException("a snapshot names its source volume, a volume has source -1");
        }
    }

    /** A volume (not a snapshot). */
    public VolumeRecord(long id, String name, long sizeBytes, long createdMillis, long serial, State state) {
        this(id, name, sizeBytes, createdMillis, serial, state, Kind.VOLUME, -1);
    }

    public boolean isSnapshot() {
        return kind == Kind.SNAPSHOT;
    }

    public byte[] encode() {
        byte[] name = this.name.getBytes(StandardCharsets.UTF_8);
        byte[] b = new byte[NAME_OFFSET + name.length + TRAILER_BYTES];
        Keys.putLong(b, SIZE_OFFSET, sizeBytes);
        Keys.putLong(b, CREATED_OFFSET, createdMillis);
        Keys.putLong(b, SERIAL_OFFSET, serial);
        b[STATE_OFFSET] = (byte) state.ordinal();
        b[NAME_LENGTH_OFFSET] = (byte) (name.length >>> 8);
        b[NAME_LENGTH_OFFSET + 1] = (byte) name.length;
        System.arraycopy(name, 0, b, NAME_OFFSET, name.length);
        int trailer = NAME_OFFSET + name.length;
        b[trailer] = (byte) kind.ordinal();
        Keys.putLong(b, trailer + 1, sourceId);
        return b;
    }

    public static VolumeRecord decode(long id, byte[] b) {
        if (b.length < NAME_OFFSET) {
            throw new CorruptMetadataException("volume record " + id + " too short");
        }
        int nameLength = ((b[NAME_LENGTH_OFFSET] & 0xFF) << 8) | (b[NAME_LENGTH_OFFSET + 1] & 0xFF);
        int state = b[STATE_OFFSET];
        int trailer = NAME_OFFSET + nameLength;
        boolean legacy = b.length == trailer;
        if (!legacy && b.length != trailer + TRAILER_BYTES || state < 0 || state >= State.values().length) {
            throw new CorruptMetadataException("volume record " + id + " malformed");
        }
        Kind kind = Kind.VOLUME;
        long source = -1;
        if (!legacy) {
            int k = b[trailer];
            source = Keys.getLong(b, trailer + 1);
            if (k < 0 || k >= Kind.values().length || (k == Kind.VOLUME.ordinal()) != (source == -1)) {
                throw new CorruptMetadataException("volume record " + id + " has a bad kind or source");
            }
            kind = Kind.values()[k];
        }
        return new VolumeRecord(id, new String(b, NAME_OFFSET, nameLength, StandardCharsets.UTF_8),
                Keys.getLong(b, SIZE_OFFSET), Keys.getLong(b, CREATED_OFFSET), Keys.getLong(b, SERIAL_OFFSET),
                State.values()[state], kind, source);
    }

    public VolumeRecord withState(State s) {
        return new VolumeRecord(id, name, sizeBytes, createdMillis, serial, s, kind, sourceId);
    }

    public VolumeRecord withName(String newName) {
        return new VolumeRecord(id, newName, sizeBytes, createdMillis, serial, state, kind, sourceId);
    }

    public VolumeRecord withSize(long newSize) {
        return new VolumeRecord(id, name, newSize, createdMillis, serial, state, kind, sourceId);
    }
}
