package io.tamp.datapath.iscsi;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What the iSCSI target offers, validated once in {@link Builder#build()}.
 *
 * <p>One target node per controller ({@link #targetName()}), one portal group. CHAP is
 * optional: with {@link #chapSecrets()} empty the target accepts AuthMethod=None; otherwise
 * it requires CHAP and looks the initiator's CHAP_N up there. Mutual CHAP is available when
 * {@link #mutualChapName()} and {@link #mutualChapSecret()} are set. An empty
 * {@link #allowedInitiators()} admits every InitiatorName.
 *
 * @param targetName               the target IQN, e.g. {@code iqn.2026-11.io.tamp:controller}
 * @param targetPortalGroupTag     1 to 65535
 * @param maxRecvDataSegmentBytes  our MaxRecvDataSegmentLength, 512 to 2^24-1
 * @param maxBurstBytes            the most we accept in one solicited burst or send in one Data-In sequence
 * @param firstBurstBytes          the most unsolicited data (immediate + Data-Out) we accept, &le; maxBurstBytes
 * @param commandWindow            commands we queue per session: MaxCmdSN - ExpCmdSN + 1 when idle
 * @param maxTransferBytes         the largest Expected Data Transfer Length we buffer for a write; a
 *                                 larger one ends in INVALID FIELD IN CDB without data solicited
 * @param chapSecrets              CHAP user name (CHAP_N) to secret, 12 to 255 bytes each
 * @param mutualChapName           the name the target answers mutual CHAP with, or null
 * @param mutualChapSecret         the target's secret for mutual CHAP, or null
 * @param allowedInitiators        InitiatorNames admitted to normal sessions, in any case; empty admits all
 * @param nopInIntervalMs          idle time before a NOP-In ping; 0 disables pings
 * @param maxBufferedWriteBytes    write data the portal holds for commands not yet executed, over
 *                                 all sessions; a write that would pass it ends in TASK SET FULL
 * @param initiatorChap            per-initiator CHAP credentials, consulted at every login
 */
public record IscsiTargetConfig(String targetName, int targetPortalGroupTag,
                                int maxRecvDataSegmentBytes, int maxBurstBytes, int firstBurstBytes,
                                int commandWindow, int maxTransferBytes,
                                Map<String, String> chapSecrets, String mutualChapName,
                                String mutualChapSecret, Set<String> allowedInitiators,
                                long nopInIntervalMs, long maxBufferedWriteBytes, InitiatorChap initiatorChap) {

    public static final String DEFAULT_TARGET_NAME = "iqn.2026-11.io.tamp:controller";
    public static final int DEFAULT_MAX_RECV_DATA_SEGMENT_BYTES = 262_144;
    public static final int DEFAULT_MAX_BURST_BYTES = 1 << 20;
    public static final int DEFAULT_FIRST_BURST_BYTES = 256 * 1024;
    public static final int DEFAULT_COMMAND_WINDOW = 128;
    /** The MAXIMUM TRANSFER LENGTH the SCSI layer reports (65536 blocks): larger writes end in CHECK CONDITION. */
    public static final int DEFAULT_MAX_TRANSFER_BYTES = 32 << 20;
    public static final long DEFAULT_MAX_BUFFERED_WRITE_BYTES = 256L << 20;
    public static final long DEFAULT_NOP_IN_INTERVAL_MS = 0;
    /** RFC 7143 §12.1.3: CHAP secrets shorter than 12 bytes are refused. */
    public static final int MIN_CHAP_SECRET_BYTES = 12;
    public static final int MAX_CHAP_SECRET_BYTES = 255;

    // RFC 3720 §3.2.6.3.1 iqn. names (lower-case after stringprep); eui. and naa. forms too.
    private static final Pattern NAME = Pattern.compile(
            "iqn\\.\\d{4}-\\d{2}\\.[a-z0-9.-]+(:[\\x21-\\x7e]+)?|eui\\.[0-9A-F]{16}|naa\\.[0-9A-F]{16,32}");

    public IscsiTargetConfig {
        chapSecrets = Map.copyOf(chapSecrets);
        allowedInitiators = allowedInitiators.stream().map(IscsiNames::normalize)
                .collect(Collectors.toUnmodifiableSet());
    }

    /** Whether every initiator must do CHAP (global secrets); per-initiator credentials add to it. */
    public boolean chapRequired() {
        return !chapSecrets.isEmpty();
    }

    public boolean mutualChapAvailable() {
        return mutualChapSecret != null;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects settings; {@link #build()} validates them all at once. */
    public static final class Builder {
        private String targetName = DEFAULT_TARGET_NAME;
        private int targetPortalGroupTag = 1;
        private int maxRecvDataSegmentBytes = DEFAULT_MAX_RECV_DATA_SEGMENT_BYTES;
        private int maxBurstBytes = DEFAULT_MAX_BURST_BYTES;
        private int firstBurstBytes = DEFAULT_FIRST_BURST_BYTES;
        private int commandWindow = DEFAULT_COMMAND_WINDOW;
        private int maxTransferBytes = DEFAULT_MAX_TRANSFER_BYTES;
        private Map<String, String> chapSecrets = Map.of();
        private String mutualChapName;
        private String mutualChapSecret;
        private Set<String> allowedInitiators = Set.of();
        private InitiatorChap initiatorChap = InitiatorChap.NONE;
        private long nopInIntervalMs = DEFAULT_NOP_IN_INTERVAL_MS;
        private long maxBufferedWriteBytes = DEFAULT_MAX_BUFFERED_WRITE_BYTES;

        public Builder targetName(String name) {
            this.targetName = name;
            return this;
        }

        public Builder targetPortalGroupTag(int tag) {
            this.targetPortalGroupTag = tag;
            return this;
        }

        public Builder maxRecvDataSegmentBytes(int bytes) {
            this.maxRecvDataSegmentBytes = bytes;
            return this;
        }

        public Builder maxBurstBytes(int bytes) {
            this.maxBurstBytes = bytes;
            return this;
        }

        public Builder firstBurstBytes(int bytes) {
            this.firstBurstBytes = bytes;
            return this;
        }

        public Builder commandWindow(int commands) {
            this.commandWindow = commands;
            return this;
        }

        public Builder maxTransferBytes(int bytes) {
            this.maxTransferBytes = bytes;
            return this;
        }

        /** Requires CHAP; {@code secrets} maps CHAP_N to the initiator's secret. */
        public Builder chap(Map<String, String> secrets) {
            this.chapSecrets = Objects.requireNonNull(secrets);
            return this;
        }

        public Builder mutualChap(String name, String secret) {
            this.mutualChapName = name;
            this.mutualChapSecret = secret;
            return this;
        }

        public Builder initiatorChap(InitiatorChap source) {
            this.initiatorChap = Objects.requireNonNull(source);
            return this;
        }

        public Builder allowedInitiators(Set<String> names) {
            this.allowedInitiators = Objects.requireNonNull(names);
            return this;
        }

        public Builder maxBufferedWriteBytes(long bytes) {
            this.maxBufferedWriteBytes = bytes;
            return this;
        }

        public Builder nopInIntervalMs(long ms) {
            this.nopInIntervalMs = ms;
            return this;
        }

        public IscsiTargetConfig build() {
            require(targetName != null && NAME.matcher(targetName).matches(),
                    "targetName is not an iqn./eui./naa. name: " + targetName);
            require(targetName.length() <= 223, "targetName longer than 223 bytes");
            require(targetPortalGroupTag >= 1 && targetPortalGroupTag <= 0xffff,
                    "targetPortalGroupTag " + targetPortalGroupTag + " not in 1..65535");
            require(maxRecvDataSegmentBytes >= IscsiPduDecoder.MIN_MAX_RECV_DATA_SEGMENT_LENGTH
                    && maxRecvDataSegmentBytes <= Bhs.MAX_DATA_SEGMENT_LENGTH,
                    "maxRecvDataSegmentBytes " + maxRecvDataSegmentBytes + " not in 512..16777215");
            require(maxBurstBytes >= 512 && maxBurstBytes <= Bhs.MAX_DATA_SEGMENT_LENGTH,
                    "maxBurstBytes " + maxBurstBytes + " not in 512..16777215");
            require(firstBurstBytes >= 512 && firstBurstBytes <= maxBurstBytes,
                    "firstBurstBytes " + firstBurstBytes + " not in 512..maxBurstBytes");
            require(commandWindow >= 1 && commandWindow <= 65536,
                    "commandWindow " + commandWindow + " not in 1..65536");
            require(maxTransferBytes >= maxBurstBytes,
                    "maxTransferBytes " + maxTransferBytes + " < maxBurstBytes");
            require(nopInIntervalMs >= 0, "nopInIntervalMs " + nopInIntervalMs + " < 0");
            require(maxBufferedWriteBytes >= maxTransferBytes,
                    "maxBufferedWriteBytes " + maxBufferedWriteBytes + " < maxTransferBytes");
            chapSecrets.forEach((user, secret) -> {
                require(user != null && !user.isEmpty(), "empty CHAP user name");
                checkSecret("CHAP secret of " + user, secret);
            });
            require((mutualChapName == null) == (mutualChapSecret == null),
                    "mutual CHAP needs both a name and a secret");
            if (mutualChapSecret != null) {
                require(!chapSecrets.isEmpty() || initiatorChap != InitiatorChap.NONE,
                        "mutual CHAP without initiator CHAP secrets");
                require(!mutualChapName.isEmpty(), "empty mutual CHAP name");
                checkSecret("mutual CHAP secret", mutualChapSecret);
                // RFC 7143 §12.1.3: the two directions must not share a secret.
                require(!chapSecrets.containsValue(mutualChapSecret),
                        "mutual CHAP secret equals an initiator secret");
            }
            return new IscsiTargetConfig(targetName, targetPortalGroupTag, maxRecvDataSegmentBytes,
                    maxBurstBytes, firstBurstBytes, commandWindow, maxTransferBytes, chapSecrets,
                    mutualChapName, mutualChapSecret, allowedInitiators, nopInIntervalMs, maxBufferedWriteBytes,
                    initiatorChap);
        }

        /** Why a CHAP secret is unacceptable (RFC 7143 §12.1.3 lengths), or null. */
        public static String secretProblem(String secret) {
            int bytes = secret == null ? 0 : secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            return bytes >= MIN_CHAP_SECRET_BYTES && bytes <= MAX_CHAP_SECRET_BYTES ? null
                    : "a CHAP secret is " + MIN_CHAP_SECRET_BYTES + " to " + MAX_CHAP_SECRET_BYTES + " bytes, got " + bytes;
        }

        private static void checkSecret(String what, String secret) {
            String problem = secretProblem(secret);
            require(problem == null, what + ": " + problem);
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException("iSCSI target config: " + message);
            }
        }
    }
}
