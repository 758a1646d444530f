package io.tamp.mgmt.http;

import io.tamp.mgmt.auth.Principal;

/** Turns a bearer token into its principal, or null when it is unknown or expired. */
@FunctionalInterface
public interface Authenticator {
    Principal authenticate(String token);
}
