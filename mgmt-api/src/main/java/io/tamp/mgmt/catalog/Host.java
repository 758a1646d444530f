package io.tamp.mgmt.catalog;

import java.util.List;

/** A host the array serves: its initiator ports, and the host group it belongs to (or null). */
public record Host(long id, String name, String description, List<Initiator> initiators, Long hostGroupId) {
    public Host {
        initiators = List.copyOf(initiators);
    }
}
