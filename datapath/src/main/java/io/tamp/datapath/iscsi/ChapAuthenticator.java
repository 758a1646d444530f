package io.tamp.datapath.iscsi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * The target side of CHAP with MD5 (RFC 1994, as used by RFC 7143 §12.1.3), one per login.
 *
 * <p>Two steps: {@link #challenge} answers the initiator's CHAP_A with CHAP_A, CHAP_I and
 * CHAP_C; {@link #verify} checks CHAP_N/CHAP_R and, for mutual CHAP, answers the
 * initiator's CHAP_I/CHAP_C with the target's CHAP_N/CHAP_R. Every failure is an
 * {@link LoginException} with status 0x0201 (authentication failure).
 */
final class ChapAuthenticator {
    static final String MD5 = "5";
    static final int CHALLENGE_BYTES = 16;
    private static final int MAX_INITIATOR_CHALLENGE_BYTES = 1024;

    private final IscsiTargetConfig config;
    private final SecureRandom random;
    private int identifier = -1;
    private byte[] challenge;

    ChapAuthenticator(IscsiTargetConfig config, SecureRandom random) {
        this.config = config;
        this.random = random;
    }

    /** Picks MD5 from the initiator's CHAP_A list and issues a challenge. */
    void challenge(String chapA, TextParameters response) throws LoginException {
        if (chapA == null || !List.of(chapA.split(",")).contains(MD5)) {
            throw LoginException.authentication("CHAP_A " + chapA + " lacks MD5 (5)");
        }
        identifier = random.nextInt(256);
        challenge = new byte[CHALLENGE_BYTES];
        random.nextBytes(challenge);
        add(response, "CHAP_A", MD5);
        add(response, "CHAP_I", Integer.toString(identifier));
        add(response, "CHAP_C", "0x" + HexFormat.of().formatHex(challenge));
    }

    boolean challenged() {
        return challenge != null;
    }

    /**
     * Checks the initiator's response; answers mutual CHAP into {@code response}. An initiator
     * with credentials of its own ({@code own}, not null) must use exactly those; otherwise
     * CHAP_N is looked up in the target's global secrets.
     *
     * @return the authenticated CHAP user name
     */
    String verify(TextParameters request, TextParameters response, InitiatorChap.Credentials own)
            throws LoginException {
        String name = request.get("CHAP_N");
        String chapR = request.get("CHAP_R");
        if (name == null || chapR == null) {
            throw LoginException.authentication("CHAP_N or CHAP_R missing");
        }
        String secret = own == null ? config.chapSecrets().get(name) : own.user().equals(name) ? own.secret() : null;
        if (secret == null) {
            throw LoginException.authentication("unknown CHAP user " + name);
        }
        byte[] expected = md5(identifier, secret, challenge);
        if (!MessageDigest.isEqual(expected, decodeBinary(chapR))) {
            throw LoginException.authentication("CHAP_R mismatch for " + name);
        }
        String mutualId = request.get("CHAP_I");
        String mutualChallenge = request.get("CHAP_C");
        if (mutualId == null && mutualChallenge == null) {
            return name;
        }
        if (mutualId == null || mutualChallenge == null || !config.mutualChapAvailable()) {
            throw LoginException.authentication("mutual CHAP requested but not configured");
        }
        if (secret.equals(config.mutualChapSecret())) { // RFC 7143 §12.1.3; per-host secrets are not checked at set-up
            throw LoginException.authentication("mutual CHAP secret equals the initiator's secret");
        }
        byte[] initiatorChallenge = decodeBinary(mutualChallenge);
        if (initiatorChallenge.length == 0 || initiatorChallenge.length > MAX_INITIATOR_CHALLENGE_BYTES
                || Arrays.equals(initiatorChallenge, challenge)) {
            // A reflected challenge would make us compute the initiator's answer for it.
            throw LoginException.authentication("unacceptable mutual CHAP_C");
        }
        int id = parseIdentifier(mutualId);
        add(response, "CHAP_N", config.mutualChapName());
        add(response, "CHAP_R", "0x" + HexFormat.of().formatHex(
                md5(id, config.mutualChapSecret(), initiatorChallenge)));
        return name;
    }

    /** MD5(identifier || secret || challenge), RFC 1994 §4.1. */
    static byte[] md5(int identifier, String secret, byte[] challenge) {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            md.update((byte) identifier);
            md.update(secret.getBytes(StandardCharsets.UTF_8));
            md.update(challenge);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has MD5", e);
        }
    }

    /** RFC 7143 §6.1 binary values: 0x hex or 0b base64. */
    static byte[] decodeBinary(String value) throws LoginException {
        try {
            if (value.length() > 2 && (value.startsWith("0x") || value.startsWith("0X"))) {
                String hex = value.substring(2);
                return HexFormat.of().parseHex(hex.length() % 2 == 0 ? hex : "0" + hex);
            }
            if (value.length() > 2 && (value.startsWith("0b") || value.startsWith("0B"))) {
                return Base64.getDecoder().decode(value.substring(2));
            }
        } catch (IllegalArgumentException e) {
            throw LoginException.authentication("malformed binary value");
        }
        throw LoginException.authentication("binary value without 0x or 0b prefix");
    }

    private static int parseIdentifier(String value) throws LoginException {
        try {
            int id = Integer.decode(value);
            if (id >= 0 && id <= 255) {
                return id;
            }
        } catch (NumberFormatException e) {
            // falls through to the failure below
        }
        throw LoginException.authentication("CHAP_I " + value + " not in 0..255");
    }

    private static void add(TextParameters params, String key, String value) {
        try {
            params.add(key, value);
        } catch (IscsiTextException e) {
            throw new IllegalStateException("our own key " + key + " is malformed", e);
        }
    }
}
