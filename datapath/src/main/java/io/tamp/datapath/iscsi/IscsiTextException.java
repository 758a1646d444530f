package io.tamp.datapath.iscsi;

/**
 * Malformed Login/Text key=value data. The login state machine answers it with an
 * initiator-error Login Response, the Text handler with a Reject; it never closes the
 * connection by itself.
 */
public final class IscsiTextException extends Exception {
    private static final long serialVersionUID = 1L;

    public IscsiTextException(String message) {
        super(message);
    }
}
