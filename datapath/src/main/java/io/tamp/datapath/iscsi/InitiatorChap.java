package io.tamp.datapath.iscsi;

/**
 * CHAP credentials bound to one initiator (the management API's per-host CHAP), looked up at
 * each login by InitiatorName, so a change applies to the next login. An initiator with
 * credentials must authenticate with exactly those; one without follows the target's global
 * setting ({@link IscsiTargetConfig#chapSecrets()}).
 */
@FunctionalInterface
public interface InitiatorChap {
    InitiatorChap NONE = initiatorName -> null;

    /** The initiator's CHAP user name and secret, or null; the name comes {@link IscsiNames#normalize normalised}. */
    Credentials credentials(String initiatorName);

    /** A CHAP_N and its secret (12 to 255 bytes). */
    record Credentials(String user, String secret) {
        /** Without the secret, so no log line or exception message can carry it. */
        @Override
        public String toString() {
            return "Credentials[user=" + user + "]";
        }
    }
}
