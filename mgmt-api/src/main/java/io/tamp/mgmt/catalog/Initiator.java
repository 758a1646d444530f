package io.tamp.mgmt.catalog;

/** One port of a host: an iSCSI initiator name (IQN/EUI/NAA) or an NVMe host NQN. */
public record Initiator(String protocol, String portName) {
    public static final String ISCSI = "iscsi";
    public static final String NVME = "nvme";

    /** Why this initiator is malformed, or null. */
    public String problem() {
        if (portName == null || portName.isEmpty() || portName.length() > 223) {
            return "port_name must be 1..223 characters";
        }
        if (!portName.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            return "port_name must be printable ASCII without spaces";
        }
        if (ISCSI.equals(protocol)) {
            String p = portName.toLowerCase(java.util.Locale.ROOT);
            return p.startsWith("iqn.") || p.startsWith("eui.") || p.startsWith("naa.") ? null
                    : "an iSCSI port_name is an iqn., eui. or naa. name";
        }
        if (NVME.equals(protocol)) {
            return portName.startsWith("nqn.") ? null : "an NVMe port_name is a host NQN (nqn....)";
        }
        return "protocol must be \"iscsi\" or \"nvme\"";
    }
}
