package io.tamp.mgmt.catalog;

/** A set of hosts (a cluster) that volumes can be mapped to at once; members name it in {@link Host#hostGroupId}. */
public record HostGroup(long id, String name, String description) {
}
