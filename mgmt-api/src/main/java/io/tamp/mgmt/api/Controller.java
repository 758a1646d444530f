package io.tamp.mgmt.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tamp.datapath.frontend.IoMetrics;
import io.tamp.datapath.volume.Engine;
import io.tamp.mgmt.auth.Tokens;
import io.tamp.mgmt.auth.Users;
import io.tamp.mgmt.catalog.Catalog;
import java.util.function.LongSupplier;

/**
 * What the management API works on: the engine, the catalog of hosts and mappings, users and
 * tokens, jobs, the audit log, I/O metrics, and the names hosts reach the frontends by.
 */
public record Controller(Engine engine, Catalog catalog, Users users, Tokens tokens, Jobs jobs, AuditLog audit,
                         IoMetrics ioMetrics, ObjectMapper json, LongSupplier clockMillis, long startedMillis,
                         Frontends frontends) {

    /** The frontends' names and ports (−1: not listening). */
    public record Frontends(String iscsiTargetIqn, int iscsiPort, String nvmeSubsystemNqn, int nvmePort) {
    }
}
