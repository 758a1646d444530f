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
    final PersistentReservations reservations = new PersistentReservations();
    final ReentrantLock compareAndWriteLock = new ReentrantLock();

    LogicalUnit(Volume volume) {
        this.volume = volume;
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
