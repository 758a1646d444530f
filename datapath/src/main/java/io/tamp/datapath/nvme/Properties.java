package io.tamp.datapath.nvme;

/**
 * Controller properties a fabrics host reads and writes with Property Get/Set (NVMe Base 2.0
 * 3.1.4): offsets and the fields of CAP, CC and CSTS this controller implements.
 */
final class Properties {
    static final int CAP = 0x00;
    static final int VS = 0x08;
    static final int CC = 0x14;
    static final int CSTS = 0x1C;
    static final int NSSR = 0x20;

    /** NVMe 1.4. */
    static final long VERSION = 0x0001_0400L;
    /** Maximum Queue Entries Supported, 0's based. */
    static final int MQES = 127;
    /** CAP: MQES, CQR (contiguous queues required), TO = 15 × 500 ms, CSS bit 37 (NVM command set). */
    static final long CAP_VALUE = MQES | 1L << 16 | 15L << 24 | 1L << 37;

    static final int CC_EN = 0x01;
    static final int CC_SHN_SHIFT = 14;
    static final int CSTS_RDY = 0x01;
    static final int CSTS_CFS = 0x02;
    static final int CSTS_SHST_COMPLETE = 0x02 << 2;

    private Properties() {
    }
}
