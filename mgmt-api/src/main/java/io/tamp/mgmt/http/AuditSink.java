package io.tamp.mgmt.http;

import io.tamp.mgmt.auth.Principal;

/** Receives every request that tried to change something, with its outcome. */
@FunctionalInterface
public interface AuditSink {
    void changeAttempted(Principal who, String method, String path, int status, String remote);
}
