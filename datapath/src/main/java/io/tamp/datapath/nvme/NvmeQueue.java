package io.tamp.datapath.nvme;

/**
 * One submission/completion queue pair of a controller, as a transport connection holds it
 * after Connect. Tracks the SQ head the completions report (NVMe-oF: SQHD = entries consumed,
 * modulo the queue size), unless the host disabled SQ flow control.
 */
public final class NvmeQueue {
    private final NvmeController controller;
    private final int qid;
    private final int entries;
    private final boolean sqFlowControl;
    private int head;

    NvmeQueue(NvmeController controller, int qid, int entries, boolean sqFlowControl) {
        this.controller = controller;
        this.qid = qid;
        this.entries = entries;
        this.sqFlowControl = sqFlowControl;
    }

    public NvmeController controller() {
        return controller;
    }

    public int qid() {
        return qid;
    }

    /** Queue entries (SQSIZE + 1): the most commands the host may have outstanding here. */
    public int entries() {
        return entries;
    }

    public boolean sqFlowControl() {
        return sqFlowControl;
    }

    /** Consumes one entry; returns the SQHD to report with its completion (FFFFh when flow control is off). */
    public int consume() {
        if (!sqFlowControl) {
            return 0xFFFF;
        }
        head = (head + 1) % entries;
        return head;
    }
}
