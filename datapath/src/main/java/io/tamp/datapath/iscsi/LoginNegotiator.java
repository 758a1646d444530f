package io.tamp.datapath.iscsi;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The login phase of one connection (RFC 7143 §6): security negotiation (AuthMethod None
 * or CHAP) and operational negotiation, one Login Request at a time.
 *
 * <p>Pure logic: the caller hands in each request's stage bits and its whole text (after
 * joining C-bit continuations) and builds the Login Response from the {@link Step}. A
 * request that must fail the login throws {@link LoginException} with the status to send.
 */
final class LoginNegotiator {
    static final int SECURITY_STAGE = 0;
    static final int OPERATIONAL_STAGE = 1;
    static final int FULL_FEATURE_PHASE = 3;

    private static final int OUR_DEFAULT_TIME2WAIT = 2;
    private static final int OUR_DEFAULT_TIME2RETAIN = 0;
    private static final int MAX_TIME2 = 3600;

    /** The answer to one Login Request. */
    record Step(TextParameters response, boolean transit, int csg, int nsg) {
        boolean complete() {
            return transit && nsg == FULL_FEATURE_PHASE;
        }
    }

    private enum Auth { NOT_STARTED, CHAP_CHOSEN, CHAP_CHALLENGED, DONE }

    private final IscsiTargetConfig config;
    private final ChapAuthenticator chap;

    private boolean first = true;
    private int stage = SECURITY_STAGE;
    private Auth auth = Auth.NOT_STARTED;
    private boolean discovery;
    private String initiatorName;
    /** This initiator's own CHAP credentials (per host), or null: then the global setting applies. */
    private InitiatorChap.Credentials ownChap;
    private boolean declaredMaxRecv;

    private boolean headerDigest;
    private boolean dataDigest;
    private int initiatorMaxRecv = IscsiPduDecoder.DEFAULT_MAX_RECV_DATA_SEGMENT_LENGTH;
    private int maxBurst = 262_144;
    private int firstBurst = 65_536;
    private boolean initialR2T = true;
    private boolean immediateData = true;

    LoginNegotiator(IscsiTargetConfig config, SecureRandom random) {
        this.config = config;
        this.chap = new ChapAuthenticator(config, random);
    }

    /**
     * Processes one Login Request.
     *
     * @param tsih the request's TSIH (0 for a new session; we allow no other)
     */
    Step process(boolean transit, int csg, int nsg, int versionMin, int tsih, TextParameters request)
            throws LoginException {
        if (first) {
            start(versionMin, tsih, request);
            stage = csg;
        }
        if (csg != stage || csg == 2 || csg == FULL_FEATURE_PHASE) {
            throw LoginException.initiatorError("CSG " + csg + " while in stage " + stage);
        }
        if (csg != SECURITY_STAGE && chapRequired() && auth != Auth.DONE) {
            // An initiator may start in operational negotiation only where no authentication is
            // required (RFC 7143 §6.3); here that would skip CHAP.
            throw LoginException.authentication("CHAP required, but the login skipped the security stage");
        }
        if (transit && (nsg <= csg || nsg == 2)) {
            throw LoginException.initiatorError("transit from stage " + csg + " to " + nsg);
        }
        TextParameters response = new TextParameters();
        if (first && !discovery) {
            add(response, "TargetPortalGroupTag", Integer.toString(config.targetPortalGroupTag()));
        }
        first = false;
        boolean ready = csg == SECURITY_STAGE ? security(request, response) : true;
        if (csg == OPERATIONAL_STAGE || !chapRequired() || auth == Auth.DONE) {
            operational(request, response);
        }
        if (csg == OPERATIONAL_STAGE && !declaredMaxRecv) {
            add(response, "MaxRecvDataSegmentLength", Integer.toString(config.maxRecvDataSegmentBytes()));
            declaredMaxRecv = true;
        }
        if (transit && ready) {
            stage = nsg;
            return new Step(response, true, csg, nsg);
        }
        return new Step(response, false, csg, 0);
    }

    /** The outcome once {@link Step#complete()}; {@code tsih} is the handle assigned. */
    SessionParameters parameters(long isid, int tsih) {
        return new SessionParameters(discovery, initiatorName, isid, tsih, headerDigest, dataDigest,
                declaredMaxRecv ? config.maxRecvDataSegmentBytes()
                        : IscsiPduDecoder.DEFAULT_MAX_RECV_DATA_SEGMENT_LENGTH,
                initiatorMaxRecv, maxBurst, Math.min(firstBurst, maxBurst), initialR2T, immediateData);
    }

    private void start(int versionMin, int tsih, TextParameters request) throws LoginException {
        if (versionMin != 0) {
            throw new LoginException(LoginException.CLASS_INITIATOR_ERROR,
                    LoginException.DETAIL_UNSUPPORTED_VERSION, "Version-min " + versionMin);
        }
        if (tsih != 0) {
            // MaxConnections=1: there is never a session to add this connection to.
            throw new LoginException(LoginException.CLASS_INITIATOR_ERROR,
                    LoginException.DETAIL_SESSION_DOES_NOT_EXIST, "TSIH " + tsih);
        }
        String name = request.get("InitiatorName");
        if (name == null || name.isEmpty()) {
            throw new LoginException(LoginException.CLASS_INITIATOR_ERROR,
                    LoginException.DETAIL_MISSING_PARAMETER, "no InitiatorName");
        }
        // From here on (LUN masking, CHAP, allow-list, initiator port) the name is in its normal form.
        initiatorName = IscsiNames.normalize(name);
        ownChap = config.initiatorChap().credentials(initiatorName);
        String sessionType = request.get("SessionType");
        if (sessionType == null || sessionType.equals("Normal")) {
            discovery = false;
        } else if (sessionType.equals("Discovery")) {
            discovery = true;
        } else {
            throw LoginException.initiatorError("SessionType " + sessionType);
        }
        if (discovery) {
            return;
        }
        String targetName = request.get("TargetName");
        if (targetName == null) {
            throw new LoginException(LoginException.CLASS_INITIATOR_ERROR,
                    LoginException.DETAIL_MISSING_PARAMETER, "no TargetName in a normal session");
        }
        if (!IscsiNames.same(targetName, config.targetName())) {
            throw new LoginException(LoginException.CLASS_INITIATOR_ERROR,
                    LoginException.DETAIL_NOT_FOUND, "no target " + targetName);
        }
        if (!config.allowedInitiators().isEmpty() && !config.allowedInitiators().contains(initiatorName)) {
            throw LoginException.authorization(initiatorName + " may not reach " + targetName);
        }
    }

    private boolean chapRequired() {
        return ownChap != null || config.chapRequired();
    }

    /** @return true once authentication allows leaving the security stage */
    private boolean security(TextParameters request, TextParameters response) throws LoginException {
        String methods = request.get("AuthMethod");
        if (methods != null && auth == Auth.NOT_STARTED) {
            List<String> offered = List.of(methods.split(","));
            if (chapRequired()) {
                if (!offered.contains("CHAP")) {
                    throw LoginException.authentication("CHAP required, offered " + methods);
                }
                add(response, "AuthMethod", "CHAP");
                auth = Auth.CHAP_CHOSEN;
            } else if (offered.contains("None")) {
                add(response, "AuthMethod", "None");
                auth = Auth.DONE;
            } else {
                throw LoginException.authentication("no CHAP secrets configured, offered " + methods);
            }
        }
        if (auth == Auth.CHAP_CHOSEN && request.get("CHAP_A") != null) {
            chap.challenge(request.get("CHAP_A"), response);
            auth = Auth.CHAP_CHALLENGED;
        } else if (auth == Auth.CHAP_CHALLENGED && request.get("CHAP_R") != null) {
            chap.verify(request, response, ownChap);
            auth = Auth.DONE;
        }
        if (auth == Auth.NOT_STARTED && !chapRequired()) {
            auth = Auth.DONE;
        }
        return auth == Auth.DONE;
    }

    private void operational(TextParameters request, TextParameters response) throws LoginException {
        Set<String> seen = new HashSet<>();
        for (TextParameters.Entry e : request) {
            if (!seen.add(e.key())) {
                throw LoginException.initiatorError("key " + e.key() + " sent twice");
            }
            String answer = negotiate(e.key(), e.value());
            if (answer != null) {
                add(response, e.key(), answer);
            }
        }
    }

    /** @return the value to answer with, or null for keys that need no answer */
    private String negotiate(String key, String value) throws LoginException {
        switch (key) {
            case "InitiatorName", "InitiatorAlias", "SessionType", "TargetName", "AuthMethod" -> {
                return null;
            }
            case "HeaderDigest" -> {
                String pick = pickDigest(value);
                headerDigest = "CRC32C".equals(pick);
                return pick;
            }
            case "DataDigest" -> {
                String pick = pickDigest(value);
                dataDigest = "CRC32C".equals(pick);
                return pick;
            }
            case "MaxRecvDataSegmentLength" -> {
                initiatorMaxRecv = number(key, value, IscsiPduDecoder.MIN_MAX_RECV_DATA_SEGMENT_LENGTH,
                        Bhs.MAX_DATA_SEGMENT_LENGTH);
                return null;
            }
            case "MaxBurstLength" -> {
                maxBurst = Math.min(number(key, value, 512, Bhs.MAX_DATA_SEGMENT_LENGTH), config.maxBurstBytes());
                return Integer.toString(maxBurst);
            }
            case "FirstBurstLength" -> {
                firstBurst = Math.min(number(key, value, 512, Bhs.MAX_DATA_SEGMENT_LENGTH),
                        config.firstBurstBytes());
                return Integer.toString(firstBurst);
            }
            case "InitialR2T" -> {
                // OR with our No: the initiator decides.
                initialR2T = bool(key, value);
                return yesNo(initialR2T);
            }
            case "ImmediateData" -> {
                // AND with our Yes: the initiator decides.
                immediateData = bool(key, value);
                return yesNo(immediateData);
            }
            case "DataPDUInOrder", "DataSequenceInOrder" -> {
                bool(key, value);
                return "Yes";
            }
            case "MaxOutstandingR2T", "MaxConnections" -> {
                number(key, value, 1, 65535);
                return "1";
            }
            case "ErrorRecoveryLevel" -> {
                number(key, value, 0, 2);
                return "0";
            }
            case "DefaultTime2Wait" -> {
                return Integer.toString(Math.max(number(key, value, 0, MAX_TIME2), OUR_DEFAULT_TIME2WAIT));
            }
            case "DefaultTime2Retain" -> {
                return Integer.toString(Math.min(number(key, value, 0, MAX_TIME2), OUR_DEFAULT_TIME2RETAIN));
            }
            case "IFMarker", "OFMarker" -> {
                // RFC 3720 keys that RFC 7143 dropped; older initiators still offer them.
                return "No";
            }
            case "IFMarkInt", "OFMarkInt" -> {
                return "Irrelevant";
            }
            default -> {
                if (key.startsWith("CHAP_")) {
                    return null;
                }
                return "NotUnderstood";
            }
        }
    }

    private static String pickDigest(String offered) {
        for (String d : offered.split(",")) {
            if (d.equals("None") || d.equals("CRC32C")) {
                return d;
            }
        }
        return "Reject";
    }

    private static int number(String key, String value, int min, int max) throws LoginException {
        try {
            long n = Long.parseLong(value);
            if (n >= min && n <= max) {
                return (int) n;
            }
        } catch (NumberFormatException e) {
            // falls through to the failure below
        }
        throw LoginException.initiatorError(key + "=" + value + " not in " + min + ".." + max);
    }

    private static boolean bool(String key, String value) throws LoginException {
        return switch (value) {
            case "Yes" -> true;
            case "No" -> false;
            default -> throw LoginException.initiatorError(key + "=" + value + " is not Yes or No");
        };
    }

    private static String yesNo(boolean b) {
        return b ? "Yes" : "No";
    }

    private static void add(TextParameters params, String key, String value) {
        try {
            params.add(key, value);
        } catch (IscsiTextException e) {
            throw new IllegalStateException("our own key " + key + " is malformed", e);
        }
    }
}
