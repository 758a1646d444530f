package io.tamp.mgmt.catalog;

import java.util.List;

/**
 * A host the array serves: its initiator ports, the host group it belongs to (or null), and
 * optional CHAP credentials its iSCSI initiators must log in with (both null when it has none;
 * records written before CHAP existed decode that way).
 */
public record Host(long id, String name, String description, List<Initiator> initiators, Long hostGroupId,
                   String chapUsername, String chapSecret) {
    public Host {
        initiators = List.copyOf(initiators);
    }

    public boolean hasChap() {
        return chapUsername != null;
    }

    Host withGroup(Long groupId) {
        return new Host(id, name, description, initiators, groupId, chapUsername, chapSecret);
    }

    /** Without the CHAP secret, so no log line or exception message can carry it. */
    @Override
    public String toString() {
        return "Host[id=" + id + ", name=" + name + ", description=" + description + ", initiators=" + initiators
                + ", hostGroupId=" + hostGroupId + ", chap=" + hasChap() + "]";
    }

    /** CHAP credentials as the API sets them; {@link #CLEAR} removes a host's. */
    public record Chap(String username, String secret) {
        public static final Chap CLEAR = new Chap(null, null);

        @Override
        public String toString() {
            return "Chap[username=" + username + "]";
        }
    }
}
