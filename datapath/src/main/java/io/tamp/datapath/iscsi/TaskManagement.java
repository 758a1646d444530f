package io.tamp.datapath.iscsi;

import io.tamp.datapath.scsi.ScsiTarget;
import io.tamp.datapath.scsi.ScsiTarget.TaskFunction;

/**
 * Task Management Function Requests (RFC 7143 §11.5): maps the iSCSI function code to
 * {@link ScsiTarget#taskManagement}, forgets the tasks it aborts on this connection, and
 * maps the SAM service response back to the iSCSI response code.
 */
final class TaskManagement {
    static final int ABORT_TASK = 1;
    static final int ABORT_TASK_SET = 2;
    static final int CLEAR_ACA = 3;
    static final int CLEAR_TASK_SET = 4;
    static final int LOGICAL_UNIT_RESET = 5;
    static final int TARGET_WARM_RESET = 6;
    static final int TARGET_COLD_RESET = 7;
    static final int TASK_REASSIGN = 8;

    static final int FUNCTION_COMPLETE = 0;
    static final int TASK_DOES_NOT_EXIST = 1;
    static final int LUN_DOES_NOT_EXIST = 2;
    static final int REASSIGN_NOT_SUPPORTED = 4;
    static final int FUNCTION_NOT_SUPPORTED = 5;

    private TaskManagement() {
    }

    /** @return the iSCSI TMF response code */
    static int manage(int function, long lunField, int referencedTaskTag, String initiatorPort, ScsiTarget target,
            ScsiCommandFlow commands) {
        long lun = SamLun.decode(lunField);
        TaskFunction samFunction;
        switch (function) {
            case ABORT_TASK -> {
                // The connection knows best whether the task still awaits its response: one
                // already answered (or never seen) does not exist, whatever the logical unit says.
                boolean pending = commands.abort(referencedTaskTag);
                target.taskManagement(TaskFunction.ABORT_TASK, initiatorPort, lun, referencedTaskTag & 0xffff_ffffL);
                return pending ? FUNCTION_COMPLETE : TASK_DOES_NOT_EXIST;
            }
            case ABORT_TASK_SET -> {
                commands.abortLun(lun);
                samFunction = TaskFunction.ABORT_TASK_SET;
            }
            case CLEAR_TASK_SET -> {
                commands.abortLun(lun);
                samFunction = TaskFunction.CLEAR_TASK_SET;
            }
            case LOGICAL_UNIT_RESET -> {
                commands.abortLun(lun);
                samFunction = TaskFunction.LOGICAL_UNIT_RESET;
            }
            case TARGET_WARM_RESET -> {
                commands.abortAll();
                samFunction = TaskFunction.TARGET_WARM_RESET;
            }
            case TARGET_COLD_RESET -> {
                commands.abortAll();
                samFunction = TaskFunction.TARGET_COLD_RESET;
            }
            case TASK_REASSIGN -> {
                // Needs ErrorRecoveryLevel 2, which we never negotiate.
                return REASSIGN_NOT_SUPPORTED;
            }
            default -> {
                return FUNCTION_NOT_SUPPORTED;
            }
        }
        boolean lunScoped = samFunction != TaskFunction.TARGET_WARM_RESET
                && samFunction != TaskFunction.TARGET_COLD_RESET;
        if (lunScoped && lun == SamLun.UNSUPPORTED) {
            return LUN_DOES_NOT_EXIST;
        }
        // ScsiTarget numbers its answers as iSCSI does.
        return target.taskManagement(samFunction, initiatorPort, lun, referencedTaskTag & 0xffff_ffffL);
    }
}
