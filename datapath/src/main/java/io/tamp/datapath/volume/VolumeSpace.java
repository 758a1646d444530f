package io.tamp.datapath.volume;

/**
 * One volume's share of the pool, computed by walking its block map (on demand; O(mapped blocks)).
 *
 * @param logicalProvisioned the volume's size
 * @param logicalUsed        host-written, non-zero, mapped bytes (entries hidden by a pending unmap excluded)
 * @param uniqueBlocks       distinct extents the volume references
 * @param uniqueDataPhysical stored bytes of those extents, each counted once
 * @param exclusivePhysical  stored bytes of extents only this volume references: what deleting it frees
 * @param attributedPhysical each extent's stored bytes divided among all its references; sums to the
 *                           pool's unique_data_physical over all volumes
 */
public record VolumeSpace(String name, long logicalProvisioned, long logicalUsed, long uniqueBlocks,
                          long uniqueDataPhysical, long exclusivePhysical, double attributedPhysical,
                          double dedupRatio, double compressionRatio, double dataReductionRatio) {
}
