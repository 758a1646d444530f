package io.tamp.mgmt.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.tamp.datapath.volume.Engine;
import io.tamp.mgmt.auth.Access;
import io.tamp.mgmt.auth.Principal;
import io.tamp.mgmt.auth.Role;
import io.tamp.mgmt.auth.Tokens;
import io.tamp.mgmt.auth.Users;
import io.tamp.mgmt.http.ApiException;
import io.tamp.mgmt.http.ApiRequest;
import io.tamp.mgmt.http.ApiResponse;
import io.tamp.mgmt.http.Router;
import io.tamp.mgmt.http.Schema;
import io.tamp.mgmt.http.Schema.Type;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Login, users, health, appliance, space, jobs and the audit trail. */
final class SystemRoutes {
    static final String API = "/api/v1";
    static final String VERSION = "0.1.0";
    static final long SNAPSHOT_PHYSICAL_MAX_AGE_MS = 10_000;

    private final Controller c;

    SystemRoutes(Controller c) {
        this.c = c;
    }

    record LoginResponse(String token, String tokenType, String expiresAt, String username, String role) {
    }

    record UserView(String name, String role, String created) {
    }

    record DeviceView(int index, String path, long sizeBytes) {
    }

    record ApplianceView(String name, String version, String poolUuid, String health, String healthDetail,
                         int deviceCount, List<DeviceView> devices, boolean directIo, long segmentBytes,
                         long capacityBytes, long freeBytes, long uptimeSeconds, boolean recoveredFromCrash,
                         Controller.Frontends frontends) {
    }

    void register(Router r) {
        r.get(API + "/health", "Liveness: 200 while the engine takes I/O, 503 once it has failed (no authentication)")
                .tag("system").access(Access.PUBLIC).handle(q -> {
                    String failure = c.engine().failureMessage();
                    if (failure != null) {
                        throw new ApiException(503, "engine_failed", "the engine stopped taking I/O: " + failure);
                    }
                    return ApiResponse.ok(Map.of("status", "ok"));
                });
        r.post(API + "/login", "Exchange a user name and password for a bearer token").tag("auth")
                .access(Access.PUBLIC).body(Schema.object()
                        .required("username", Type.STRING, "user name")
                        .required("password", Type.STRING, "password")).handle(this::login);
        r.post(API + "/logout", "End this token's session").tag("auth").access(Access.READ).status(204).handle(q -> {
            c.tokens().revoke(q.token());
            return ApiResponse.noContent();
        });
        r.get(API + "/users", "List users").tag("users").access(Access.USERS).handle(q ->
                ApiResponse.ok(c.users().list().stream().map(SystemRoutes::user).toList()));
        r.post(API + "/users", "Create a user").tag("users").access(Access.USERS).status(201).body(Schema.object()
                .required("name", Type.STRING, "1-64 characters: a-z, 0-9, _ . -")
                .required("password", Type.STRING, "at least 8 characters")
                .required("role", Type.STRING, "admin, operator or read_only")).handle(q -> {
                    JsonNode b = q.body();
                    Role role = role(b.get("role").asText());
                    try {
                        return ApiResponse.created(user(c.users().create(b.get("name").asText(),
                                b.get("password").asText(), role)));
                    } catch (IllegalArgumentException e) {
                        throw ApiException.badRequest(e.getMessage().startsWith("user names") ? "name" : "password",
                                e.getMessage());
                    } catch (IllegalStateException e) {
                        throw ApiException.conflict("name_in_use", e.getMessage());
                    }
                });
        r.patch(API + "/users/{name}", "Change a password (any user, their own) or a role (admin)").tag("users")
                .access(Access.READ).body(Schema.object()
                        .optional("password", Type.STRING, "new password, at least 8 characters")
                        .optional("role", Type.STRING, "new role (admin only)")).handle(this::updateUser);
        r.delete(API + "/users/{name}", "Delete a user (not the last admin)").tag("users").access(Access.USERS)
                .handle(q -> {
                    String name = q.param("name");
                    requireUser(name);
                    try {
                        c.users().delete(name);
                    } catch (IllegalStateException e) {
                        throw ApiException.conflict("last_admin", e.getMessage());
                    }
                    c.tokens().revokeUser(name);
                    return ApiResponse.noContent();
                });
        r.get(API + "/appliance", "The controller: pool devices, health, capacity, frontends").tag("system")
                .handle(q -> ApiResponse.ok(appliance()));
        r.get(API + "/space", "Capacity and data-reduction metrics of the pool (snapshot_physical and "
                + "snapshot_savings may be up to 10 s old: they walk every snapshot's block map)").tag("space")
                .handle(q -> ApiResponse.ok(c.engine().space(SNAPSHOT_PHYSICAL_MAX_AGE_MS)));
        r.get(API + "/jobs", "Long operations, newest last").tag("jobs").handle(q -> ApiResponse.ok(c.jobs().list()));
        r.get(API + "/jobs/{id}", "One job").tag("jobs").handle(q -> {
            Jobs.Job j = c.jobs().get(q.id("id", "job"));
            if (j == null) {
                throw ApiException.notFound("job", q.param("id"));
            }
            return ApiResponse.ok(j);
        });
        r.get(API + "/audit_events", "The last 1000 change attempts: who, what, when, outcome").tag("system")
                .access(Access.USERS).handle(q -> ApiResponse.ok(c.audit().recent()));
    }

    private ApiResponse login(ApiRequest q) {
        String name = q.body().get("username").asText();
        String password = q.body().get("password").asText();
        Principal p = c.users().login(name, password);
        c.audit().changeAttempted(new Principal(name, null), "POST", q.path(), p == null ? 401 : 200, q.remote());
        if (p == null) {
            throw new ApiException(401, "bad_credentials", "wrong user name or password");
        }
        Tokens.Issued t = c.tokens().issue(p);
        if (t == null) {
            throw new ApiException(503, "too_many_sessions", "too many live sessions; retry later");
        }
        return ApiResponse.ok(new LoginResponse(t.token(), "Bearer", Instant.ofEpochMilli(t.expiresAtMillis()).toString(),
                p.username(), p.role().jsonName()));
    }

    private ApiResponse updateUser(ApiRequest q) {
        String name = q.param("name");
        Principal who = q.principal();
        boolean admin = who.role() == Role.ADMIN;
        if (!admin && !who.username().equals(name)) {
            throw new ApiException(403, "forbidden", "only an admin may change another user");
        }
        requireUser(name);
        JsonNode b = q.body();
        if (b.hasNonNull("role")) {
            if (!admin) {
                throw new ApiException(403, "forbidden", "only an admin may change roles");
            }
            Role role = role(b.get("role").asText());
            try {
                c.users().changeRole(name, role);
            } catch (IllegalStateException e) {
                throw ApiException.conflict("last_admin", e.getMessage());
            }
            c.tokens().revokeUser(name);
        }
        if (b.hasNonNull("password")) {
            try {
                c.users().changePassword(name, b.get("password").asText());
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("password", e.getMessage());
            }
            c.tokens().revokeUser(name);
        }
        return ApiResponse.ok(user(c.users().get(name)));
    }

    private void requireUser(String name) {
        if (c.users().get(name) == null) {
            throw ApiException.notFound("user", name);
        }
    }

    private static Role role(String s) {
        Role r = Role.parse(s);
        if (r == null) {
            throw ApiException.badRequest("role", "role must be admin, operator or read_only");
        }
        return r;
    }

    private static UserView user(Users.User u) {
        return new UserView(u.name(), u.role().jsonName(), Instant.ofEpochMilli(u.createdMillis()).toString());
    }

    private ApplianceView appliance() {
        Engine e = c.engine();
        var pool = e.pool();
        List<DeviceView> devices = new ArrayList<>();
        for (int i = 0; i < pool.deviceCount() && i < pool.segmentCount(); i++) {
            devices.add(new DeviceView(i, pool.devicePathOf(i).toString(), pool.deviceBytes()));
        }
        var s = e.space(SNAPSHOT_PHYSICAL_MAX_AGE_MS);
        String failure = e.failureMessage();
        return new ApplianceView("tamp", VERSION, pool.poolUuid().toString(), failure == null ? "ok" : "failed",
                failure == null ? "" : failure, pool.deviceCount(), devices, pool.directIo(), pool.segmentBytes(),
                s.poolCapacity(), s.poolFree(), (c.clockMillis().getAsLong() - c.startedMillis()) / 1000,
                e.recoveredFromCrash(), c.frontends());
    }
}
