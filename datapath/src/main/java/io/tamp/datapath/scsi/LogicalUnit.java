package io.tamp.datapath.scsi;

import io.tamp.datapath.volume.Volume;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The SCSI state of one volume seen as a disk: changeable mode parameters, reservations, and the
 * lock that makes COMPARE AND WRITE atomic against other COMPARE AND WRITEs on the volume.
 */
final class LogicalUnit {
    private final Volume volume;
    /** Caching mode page WCE: when cleared by MODE SELECT, every write is written through (FUA). */
    private volatile boolean writeCacheEnabled = true;
    final PersistentReservations reservations;
    final ReentrantLock compareAndWriteLock = new ReentrantLock();
    private static final long UNOBSERVED = -1;
    private final java.util.concurrent.atomic.AtomicLong observedSize = new java.util.concurrent.atomic.AtomicLong(UNOBSERVED);

    LogicalUnit(Volume volume) {
        this.volume = volume;
        this.reservations = new PersistentReservations(new PersistentReservations.Store() {
            @Override
            public byte[] load() {
                return volume.attribute(PersistentReservations.ATTRIBUTE);
            }

            @Override
            public void save(byte[] state) {
                volume.attribute(PersistentReservations.ATTRIBUTE, state);
            }
        });
    }

    /** True once for each change of the volume's size since the last call (the first call only records it). */
    boolean sizeChanged() {
        long now = volume.sizeBytes();
        long seen = observedSize.getAndSet(now);
        return seen != now && seen != UNOBSERVED;
    }

    Volume volume() {
        return volume;
    }

    boolean writeCacheEnabled() {
        return writeCacheEnabled;
    }

    void writeCacheEnabled(boolean on) {
        writeCacheEnabled = on;
    }
}
