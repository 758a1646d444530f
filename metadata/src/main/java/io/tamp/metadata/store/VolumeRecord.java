package io.tamp.metadata.store;

import java.nio.charset.StandardCharsets;

/**
 * A volume in the catalog.
 *
 * <pre>
 *  0       8        16       24      25      27
 *  +-------+--------+--------+-------+-------+----------------+
 *  | size  | created| wwnLow | state | nlen  | name (utf-8)   |
 *  +-------+--------+--------+-------+-------+----------------+
 * </pre>
 * {@code wwnLow} is a random 64-bit identity chosen at creation, stable for the volume's life
 * (frontends build NAA / NGUID from it).
 */
public record VolumeRecord(long id, String name, long sizeBytes, long createdMillis, long serial, State state) {
    public enum State { ACTIVE, DELETING }

    private static final int SIZE_OFFSET = 0;
    private static final int CREATED_OFFSET = 8;
    private static final int SERIAL_OFFSET = 16;
    private static final int STATE_OFFSET = 24;
    private static final int NAME_LENGTH_OFFSET = 25;
    private static final int NAME_OFFSET = 27;

    public byte[] encode() {
        byte[] name = this.name.getBytes(StandardCharsets.UTF_8);
        byte[] b = new byte[NAME_OFFSET + name.length];
        Keys.putLong(b, SIZE_OFFSET, sizeBytes);
        Keys.putLong(b, CREATED_OFFSET, createdMillis);
        Keys.putLong(b, SERIAL_OFFSET, serial);
        b[STATE_OFFSET] = (byte) state.ordinal();
        b[NAME_LENGTH_OFFSET] = (byte) (name.length >>> 8);
        b[NAME_LENGTH_OFFSET + 1] = (byte) name.length;
        System.arraycopy(name, 0, b, NAME_OFFSET, name.length);
        return b;
    }

    public static VolumeRecord decode(long id, byte[] b) {
        if (b.length < NAME_OFFSET) {
            throw new CorruptMetadataException("volume record " + id + " too short");
        }
        int nameLength = ((b[NAME_LENGTH_OFFSET] & 0xFF) << 8) | (b[NAME_LENGTH_OFFSET + 1] & 0xFF);
        int state = b[STATE_OFFSET];
        if (NAME_OFFSET + nameLength != b.length || state < 0 || state >= State.values().length) {
            throw new CorruptMetadataException("volume record " + id + " malformed");
        }
        return new VolumeRecord(id, new String(b, NAME_OFFSET, nameLength, StandardCharsets.UTF_8),
                Keys.getLong(b, SIZE_OFFSET), Keys.getLong(b, CREATED_OFFSET), Keys.getLong(b, SERIAL_OFFSET),
                State.values()[state]);
    }

    public VolumeRecord withState(State s) {
        return new VolumeRecord(id, name, sizeBytes, createdMillis, serial, s);
    }

    public VolumeRecord withName(String newName) {
        return new VolumeRecord(id, newName, sizeBytes, createdMillis, serial, state);
    }

    public VolumeRecord withSize(long newSize) {
        return new VolumeRecord(id, name, newSize, createdMillis, serial, state);
    }
}
