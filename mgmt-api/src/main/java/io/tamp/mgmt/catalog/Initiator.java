package io.tamp.mgmt.catalog;

import io.tamp.datapath.iscsi.IscsiNames;

/**
 * One port of a host: an iSCSI initiator name (IQN/EUI/NAA) or an NVMe host NQN. An iSCSI name is
 * case-insensitive and kept in its normal form (lower case), whether it comes from the API or a
 * stored record, so two spellings of one initiator are one port; an NQN is case-sensitive and
 * kept as given.
 */
public record Initiator(String protocol, String portName) {
    public static final String ISCSI = "iscsi";
    public static final String NVME = "nvme";

    public Initiator {
        if (ISCSI.equals(protocol) && portName != null) {
            portName = IscsiNames.normalize(portName);
        }
    }

    /** Why this initiator is malformed, or null. */
    public String problem() {
        if (portName == null || portName.isEmpty() || portName.length() > 223) {
            return "port_name must be 1..223 characters";
        }
        if (!portName.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            return "port_name must be printable ASCII without spaces";
        }
        if (ISCSI.equals(protocol)) {
            return IscsiNames.isIscsiName(portName) ? null : "an iSCSI port_name is an iqn., eui. or naa. name";
        }
        if (NVME.equals(protocol)) {
            return portName.startsWith("nqn.") ? null : "an NVMe port_name is a host NQN (nqn....)";
        }
        return "protocol must be \"iscsi\" or \"nvme\"";
    }
}
