package io.tamp.datapath.nvme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tamp.datapath.volume.IoStatus;
import org.junit.jupiter.api.Test;

class StatusTest {
    @Test
    void aWriteToAReadOnlyVolumeIsNamespaceWriteProtectedAndNotRetried() {
        int s = Status.of(IoStatus.READ_ONLY);
        assertEquals(0, Status.sct(s));
        assertEquals(0x20, Status.sc(s));
        assertTrue(Status.dnr(s), "retrying a write to a snapshot cannot succeed");
    }

    @Test
    void onlyAnInternalErrorInvitesARetry() {
        for (IoStatus io : IoStatus.values()) {
            int s = Status.of(io);
            if (io == IoStatus.OK) {
                assertEquals(Status.SUCCESS, s);
            } else if (io == IoStatus.IO_ERROR) {
                assertFalse(Status.dnr(s), io.name());
            } else {
                assertTrue(Status.dnr(s), io + " -> " + Status.describe(s));
            }
        }
    }
}
