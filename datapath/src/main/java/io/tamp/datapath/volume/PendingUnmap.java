package io.tamp.datapath.volume;

/**
 * An unmapped LBA range whose block-map entries the background drain has not yet released. It
 * hides every entry older than its epoch from reads immediately; {@code next} is the drain's cursor.
 */
final class PendingUnmap {
    final long epoch;
    final long startLba;
    final long endLba;
    volatile long next;

    PendingUnmap(long epoch, long startLba, long endLba) {
        this.epoch = epoch;
        this.startLba = startLba;
        this.endLba = endLba;
        this.next = startLba;
    }

    boolean shadows(long lba, long entryEpoch) {
        return lba >= startLba && lba < endLba && entryEpoch < epoch;
    }

    byte[] encode() {
        byte[] v = new byte[16];
        io.tamp.metadata.store.Keys.putLong(v, 0, startLba);
        io.tamp.metadata.store.Keys.putLong(v, 8, endLba);
        return v;
    }
}
