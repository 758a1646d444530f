package io.tamp.datapath.iscsi;

/**
 * A login that fails with a Login Response status (RFC 7143 §11.13.5): the target answers
 * with {@link #statusClass()}/{@link #statusDetail()} and closes the connection.
 */
final class LoginException extends Exception {
    static final int CLASS_INITIATOR_ERROR = 0x02;
    static final int CLASS_TARGET_ERROR = 0x03;

    static final int DETAIL_INITIATOR_ERROR = 0x00;
    static final int DETAIL_AUTHENTICATION_FAILURE = 0x01;
    static final int DETAIL_AUTHORIZATION_FAILURE = 0x02;
    static final int DETAIL_NOT_FOUND = 0x03;
    static final int DETAIL_UNSUPPORTED_VERSION = 0x05;
    static final int DETAIL_MISSING_PARAMETER = 0x07;
    static final int DETAIL_SESSION_DOES_NOT_EXIST = 0x0a;
    static final int DETAIL_INVALID_DURING_LOGIN = 0x0b;

    private final int statusClass;
    private final int statusDetail;

    LoginException(int statusClass, int statusDetail, String message) {
        super(message, null, false, false);
        this.statusClass = statusClass;
        this.statusDetail = statusDetail;
    }

    static LoginException initiatorError(String message) {
        return new LoginException(CLASS_INITIATOR_ERROR, DETAIL_INITIATOR_ERROR, message);
    }

    static LoginException authentication(String message) {
        return new LoginException(CLASS_INITIATOR_ERROR, DETAIL_AUTHENTICATION_FAILURE, message);
    }

    static LoginException authorization(String message) {
        return new LoginException(CLASS_INITIATOR_ERROR, DETAIL_AUTHORIZATION_FAILURE, message);
    }

    int statusClass() {
        return statusClass;
    }

    int statusDetail() {
        return statusDetail;
    }

    /** The two status bytes as one number, e.g. 0x0201. */
    int status() {
        return statusClass << 8 | statusDetail;
    }
}
