package io.tamp.datapath.scsi;

import java.util.concurrent.CompletableFuture;

/**
 * The SCSI command set over the engine's volumes, as transports see it (iSCSI now; any SCSI
 * transport later). Implementations never complete a future exceptionally for anything an
 * initiator can cause: those outcomes are CHECK CONDITION with the sense the standards require.
 */
public interface ScsiTarget {
    /** Runs one command; may complete on another thread. */
    CompletableFuture<ScsiResponse> execute(ScsiCommand command);

    /** Task management, per SAM-5: aborts what it names; returns the SAM TMF response code. */
    int taskManagement(TaskFunction function, String initiatorPort, long lun, long referencedTaskTag);

    /** The task management functions a transport forwards. */
    enum TaskFunction { ABORT_TASK, ABORT_TASK_SET, CLEAR_TASK_SET, LOGICAL_UNIT_RESET, TARGET_WARM_RESET,
        TARGET_COLD_RESET }
}
