package io.tamp.datapath.scsi;

import static io.tamp.datapath.scsi.InquiryCommands.putU32;
import static io.tamp.datapath.scsi.InquiryCommands.putU64;

import io.tamp.datapath.volume.Volume;

/**
 * READ CAPACITY(10), READ CAPACITY(16) and GET LBA STATUS (SBC-3 5.16, 5.17, 5.7).
 *
 * <pre>
 * READ CAPACITY(16) data (32 bytes)
 *  0..7  RETURNED LOGICAL BLOCK ADDRESS (last LBA)   8..11 LOGICAL BLOCK LENGTH 512
 *  12    P_TYPE PROT_EN                              13    P_I_EXPONENT | LBPPBE 3 (8 per 4 KiB)
 *  14..15 LBPME(15) LBPRZ(14) | LOWEST ALIGNED LBA
 * GET LBA STATUS data: PARAMETER DATA LENGTH(4) reserved(4), then 16-byte descriptors
 *  0..7 LBA   8..11 NUMBER OF LOGICAL BLOCKS   12 PROVISIONING STATUS (0 mapped, 1 deallocated)
 * </pre>
 */
final class CapacityCommands {
    static final int LBPPBE = 3;
    static final int SECTORS_PER_BLOCK = Volume.BLOCK / Volume.SECTOR;
    /** 4 KiB blocks GET LBA STATUS examines per command; the initiator asks again from where it stopped. */
    static final long MAX_SCAN_BLOCKS = 1L << 16;

    private CapacityCommands() {
    }

    static ScsiResponse readCapacity10(Task t) {
        Cdb cdb = t.cdb();
        if (!cdb.bit(8, 0) && cdb.u32(2) != 0) {
            return Task.check(Sense.INVALID_FIELD_IN_CDB);
        }
        long last = t.capacityBlocks() - 1;
        byte[] out = new byte[8];
        putU32(out, 0, Math.min(last, 0xFFFF_FFFFL));
        putU32(out, 4, Task.BLOCK_BYTES);
        return t.data(out, out.length);
    }

    static ScsiResponse readCapacity16(Task t) {
        byte[] out = new byte[32];
        putU64(out, 0, t.capacityBlocks() - 1);
        putU32(out, 8, Task.BLOCK_BYTES);
        out[13] = LBPPBE;
        out[14] = (byte) 0xC0; // LBPME, LBPRZ
        return t.data(out, t.cdb().u32(10));
    }

    static ScsiResponse getLbaStatus(Task t) {
        Cdb cdb = t.cdb();
        long start = cdb.u64(2);
        long allocation = cdb.u32(10);
        long capacity = t.capacityBlocks();
        if (Long.compareUnsigned(start, capacity) >= 0) { // the LBA field is unsigned: 2^64-1 is beyond the end too
            return Task.check(Sense.LBA_OUT_OF_RANGE);
        }
        if (allocation < 24) {
            // room for the header and one descriptor is the least that says anything
            return t.data(header(0), allocation);
        }
        int maxDescriptors = (int) Math.min((allocation - 8) / 16, 1024);
        byte[] out = new byte[8 + 16 * maxDescriptors];
        Volume v = t.volume();
        long block = start / SECTORS_PER_BLOCK;
        long lastBlock = Math.min((capacity - 1) / SECTORS_PER_BLOCK, block + MAX_SCAN_BLOCKS - 1);
        int n = 0;
        long runStart = start;
        boolean runMapped = v.isMapped(block);
        for (long b = block + 1; b <= lastBlock + 1 && n < maxDescriptors; b++) {
            boolean mapped = b <= lastBlock && v.isMapped(b);
            if (b > lastBlock || mapped != runMapped) {
                long runEnd = Math.min(b * SECTORS_PER_BLOCK, capacity);
                int at = 8 + 16 * n++;
                putU64(out, at, runStart);
                putU32(out, at + 8, runEnd - runStart);
                out[at + 12] = (byte) (runMapped ? 0 : 1);
                runStart = runEnd;
                runMapped = mapped;
            }
        }
        putU32(out, 0, 4 + 16L * n);
        return t.data(out, 8 + 16 * n, allocation);
    }

    private static byte[] header(int descriptors) {
        byte[] h = new byte[8];
        putU32(h, 0, 4 + 16L * descriptors);
        return h;
    }
}
