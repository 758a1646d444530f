package io.tamp.datapath.volume;

/**
 * Capacity and data-reduction figures with the names and definitions of ../shared/DESIGN.md.
 * Ratios are 1.0 when there is nothing to divide. Volume figures leave snapshots out; the
 * snapshot figures come last.
 *
 * @param logicalProvisioned sum of volume sizes (snapshots not included)
 * @param logicalUsed        host-written, non-zero, mapped bytes of volumes (snapshots not included)
 * @param uniqueBlocks       live extents (unique 4 KiB blocks after dedup), whoever references them
 * @param uniqueDataPhysical bytes on devices of live extents (after dedup and compression)
 * @param physicalUsed       bytes written into segments not yet freed: live data plus garbage not yet cleaned
 * @param metadataBytes      RocksDB files (block maps, extent table) on the controller's disk
 * @param poolCapacity       bytes of all segments
 * @param poolFree           bytes of free segments
 * @param pendingUnmaps      unmap ranges the background drain has not yet released
 * @param efficiencyRatio    (logicalProvisioned + snapshotLogical) / physicalUsed
 * @param snapshotLogical    non-zero mapped bytes of all snapshots: what they would occupy as full copies
 * @param snapshotPhysical   stored bytes of the extents that only snapshots reference, no volume: what the
 *                           snapshots cost the pool (deleting every snapshot frees this, once cleaned)
 * @param snapshotSavings    snapshotLogical - snapshotPhysical, in bytes: what the snapshots would have
 *                           cost as full, unreduced copies beyond what they cost with shared extents
 */
public record SpaceReport(long logicalProvisioned, long logicalUsed, long uniqueBlocks, long uniqueDataPhysical,
                          long physicalUsed, long metadataBytes, long poolCapacity, long poolFree, long pendingUnmaps,
                          double dedupRatio, double compressionRatio, double dataReductionRatio,
                          double thinSavings, double efficiencyRatio,
                          long snapshotLogical, long snapshotPhysical, long snapshotSavings) {

    static SpaceReport of(long logicalProvisioned, long logicalUsed, long uniqueBlocks, long uniqueDataPhysical,
                          long physicalUsed, long metadataBytes, long poolCapacity, long poolFree, long pendingUnmaps,
                          long snapshotLogical, long snapshotPhysical) {
        long uniqueLogical = uniqueBlocks * Volume.BLOCK;
        return new SpaceReport(logicalProvisioned, logicalUsed, uniqueBlocks, uniqueDataPhysical, physicalUsed,
                metadataBytes, poolCapacity, poolFree, pendingUnmaps,
                ratio(logicalUsed, uniqueLogical), ratio(uniqueLogical, uniqueDataPhysical),
                ratio(logicalUsed, uniqueDataPhysical), ratio(logicalProvisioned, logicalUsed),
                ratio(logicalProvisioned + snapshotLogical, physicalUsed),
                snapshotLogical, snapshotPhysical, snapshotLogical - snapshotPhysical);
    }

    static double ratio(long a, long b) {
        return b == 0 || a == 0 ? 1.0 : (double) a / b;
    }
}
