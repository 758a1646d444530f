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

    /**
     * Runs one command that is {@code alone} in its session ({@code frontend.InlineReads#alone}):
     * an implementation may then run a short read on the calling thread and return a completed future.
     */
    default CompletableFuture<ScsiResponse> execute(ScsiCommand command, boolean alone) {
        return execute(command);
    }

    /** TMF service responses, numbered as iSCSI numbers them (RFC 7143 §11.6.1; SAM-5 leaves numbers to transports). */
    int TMF_FUNCTION_COMPLETE = 0;
    int TMF_TASK_DOES_NOT_EXIST = 1;
    int TMF_LUN_DOES_NOT_EXIST = 2;
    int TMF_FUNCTION_NOT_SUPPORTED = 5;

    /** Task management, per SAM-5: aborts what it names; returns one of the TMF_ responses above. */
    int taskManagement(TaskFunction function, String initiatorPort, long lun, long referencedTaskTag);

    /**
     * An I_T nexus began (an iSCSI normal session logged in): its next command on each logical
     * unit meets POWER ON, RESET, OR BUS DEVICE RESET OCCURRED.
     */
    default void nexusStarted(String initiatorPort) {
    }

    /**
     * An I_T nexus ended (logout, dropped connection, reset): its tasks are gone and its
     * RESERVE(6) reservations are released (SPC-2 5.5.1); persistent reservations stay.
     */
    default void nexusLost(String initiatorPort) {
    }

    /** The task management functions a transport forwards. */
    enum TaskFunction { ABORT_TASK, ABORT_TASK_SET, CLEAR_TASK_SET, LOGICAL_UNIT_RESET, TARGET_WARM_RESET,
        TARGET_COLD_RESET }
}
