package io.tamp.datapath.reduce;

/** How an extent's bytes are encoded on the device. */
public enum Codec {
    RAW(0), LZ4(1);

    public final byte id;

    Codec(int id) {
        this.id = (byte) id;
    }

    public static Codec of(byte id) {
        for (Codec c : values()) {
            if (c.id == id) {
                return c;
            }
        }
        return null;
    }
}
