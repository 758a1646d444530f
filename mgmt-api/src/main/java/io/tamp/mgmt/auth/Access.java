package io.tamp.mgmt.auth;

/** What an endpoint needs (see {@link Role#allows}). */
public enum Access {
    /** No authentication: health check and login. */
    PUBLIC,
    /** Any authenticated user. */
    READ,
    /** Creates or changes something: admin and operator. */
    CHANGE,
    /** Deletes something: admin only. */
    DELETE,
    /** User management: admin only. */
    USERS
}
