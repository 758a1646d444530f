package io.tamp.datapath.iscsi;

import java.text.Normalizer;
import java.util.Locale;

/**
 * iSCSI node names (iqn., eui., naa.) are case-insensitive (RFC 7143 §4.2.7.1) and compared in
 * the normal form of the RFC 3722 stringprep profile: case-folded to lower case, then NFKC.
 * Every name is normalised once, where it enters (the login's InitiatorName, a host or mapping
 * registered by management), so LUN masking and CHAP lookups compare plain strings. NVMe NQNs
 * are case-sensitive and never pass through here.
 */
public final class IscsiNames {
    private IscsiNames() {
    }

    /** The normal form of an iSCSI name; the same instance when it is one already (lower-case ASCII). */
    public static String normalize(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 0x80 || (c >= 'A' && c <= 'Z')) {
                return Normalizer.normalize(name.toLowerCase(Locale.ROOT), Normalizer.Form.NFKC);
            }
        }
        return name;
    }

    /** Whether two iSCSI names name the same node. */
    public static boolean same(String a, String b) {
        return normalize(a).equals(normalize(b));
    }

    /** Whether name starts like an iSCSI name (iqn., eui., naa., in any case) rather than, say, an NQN. */
    public static boolean isIscsiName(String name) {
        return name.regionMatches(true, 0, "iqn.", 0, 4) || name.regionMatches(true, 0, "eui.", 0, 4)
                || name.regionMatches(true, 0, "naa.", 0, 4);
    }
}
