package io.tamp.datapath.volume;

/**
 * Capacity and data-reduction figures with the names and definitions of ../shared/DESIGN.md.
 * Ratios are 1.0 when there is nothing to divide.
 *
 * @param logicalProvisioned sum of volume sizes
 * @param logicalUsed        host-written, non-zero, mapped bytes of volumes
 * @param uniqueBlocks       live extents (unique 4 KiB blocks after dedup)
 * @param uniqueDataPhysical bytes on devices of live extents (after dedup and compression)
 * @param physicalUsed       bytes written into segments not yet freed: live data plus garbage not yet cleaned
 * @param metadataBytes      RocksDB files (block maps, extent table) on the controller's disk
 * @param poolCapacity       bytes of all segments
 * @param poolFree           bytes of free segments
 * @param pendingUnmaps      unmap ranges the background drain has not yet released
 */
public record SpaceReport(long logicalProvisioned, long logicalUsed, long uniqueBlocks, long uniqueDataPhysical,
                          long physicalUsed, long metadataBytes, long poolCapacity, long poolFree, long pendingUnmaps,
                          double dedupRatio, double compressionRatio, double dataReductionRatio,
                          double thinSavings, double efficiencyRatio) {

    static SpaceReport of(long logicalProvisioned, long logicalUsed, long uniqueBlocks, long uniqueDataPhysical,
                          long physicalUsed, long metadataBytes, long poolCapacity, long poolFree, long pendingUnmaps) {
        long uniqueLogical = uniqueBlocks * Volume.BLOCK;
        return new SpaceReport(logicalProvisioned, logicalUsed, uniqueBlocks, uniqueDataPhysical, physicalUsed,
                metadataBytes, poolCapacity, poolFree, pendingUnmaps,
                ratio(logicalUsed, uniqueLogical), ratio(uniqueLogical, uniqueDataPhysical),
                ratio(logicalUsed, uniqueDataPhysical), ratio(logicalProvisioned, logicalUsed),
                ratio(logicalProvisioned, physicalUsed));
    }

    static double ratio(long a, long b) {
        return b == 0 || a == 0 ? 1.0 : (double) a / b;
    }
}
