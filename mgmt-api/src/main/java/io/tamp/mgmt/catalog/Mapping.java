package io.tamp.mgmt.catalog;

/**
 * A volume shown to a host or to every host of a group, at one logical unit number: iSCSI LUN
 * {@code lun}, NVMe namespace id {@code lun + 1}. Exactly one of hostId and hostGroupId is set.
 */
public record Mapping(long id, long volumeId, Long hostId, Long hostGroupId, long lun) {
}
