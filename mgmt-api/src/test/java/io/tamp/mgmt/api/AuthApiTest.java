package io.tamp.mgmt.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Authentication, roles and the audit trail: every refusal has the right status and changes nothing. */
class AuthApiTest {
    @TempDir
    Path dir;

    @Test
    void missingWrongAndExpiredCredentialsAreRefused() throws Exception {
        try (ApiHarness h = new ApiHarness(dir)) {
            assertEquals(200, h.get("/api/v1/health", null).status(), "the health check needs no token");
            ApiHarness.Reply none = h.get("/api/v1/volumes", null);
            assertEquals(401, none.status(), none.toString());
            assertEquals("unauthenticated", none.body().get("code").asText());
            assertTrue(none.response().headers().firstValue("www-authenticate").orElse("").startsWith("Bearer"));
            assertEquals(401, h.get("/api/v1/openapi.json", null).status());
            assertEquals(401, h.get("/metrics", null).status());
            assertEquals(401, h.get("/api/v1/volumes", "not-a-token").status());

            ApiHarness.Reply wrong = h.send("POST", "/api/v1/login", null,
                    "{\"username\":\"admin\",\"password\":\"wrong-password\"}");
            assertEquals(401, wrong.status(), wrong.toString());
            assertEquals("bad_credentials", wrong.body().get("code").asText());
            assertEquals(401, h.send("POST", "/api/v1/login", null,
                    "{\"username\":\"nobody\",\"password\":\"whatever-pw\"}").status());
            assertEquals(400, h.send("POST", "/api/v1/login", null, "{\"username\":\"admin\"}").status());

            String token = h.admin();
            assertEquals(200, h.get("/api/v1/volumes", token).status());
            h.clock.addAndGet(3_600_000); // the token's whole lifetime
            ApiHarness.Reply expired = h.send("POST", "/api/v1/volumes", token, VolumeApiTest.volumeBody("x", 1 << 20));
            assertEquals(401, expired.status(), expired.toString());
            assertEquals(0, h.engine.volumes().size(), "an expired token changed nothing");

            String fresh = h.admin();
            assertEquals(204, h.send("POST", "/api/v1/logout", fresh, null).status());
            assertEquals(401, h.get("/api/v1/volumes", fresh).status(), "a logged-out token is dead");
        }
    }

    @Test
    void rolesLimitWhatUsersMayDo() throws Exception {
        try (ApiHarness h = new ApiHarness(dir)) {
            String admin = h.admin();
            assertEquals(201, h.send("POST", "/api/v1/users", admin,
                    "{\"name\":\"viewer\",\"password\":\"viewer-pass\",\"role\":\"read_only\"}").status());
            assertEquals(201, h.send("POST", "/api/v1/users", admin,
                    "{\"name\":\"ops\",\"password\":\"ops-passw\",\"role\":\"operator\"}").status());
            assertEquals(400, h.send("POST", "/api/v1/users", admin,
                    "{\"name\":\"weak\",\"password\":\"short\",\"role\":\"operator\"}").status());
            assertEquals(400, h.send("POST", "/api/v1/users", admin,
                    "{\"name\":\"x\",\"password\":\"long-enough\",\"role\":\"root\"}").status());
            assertEquals(409, h.send("POST", "/api/v1/users", admin,
                    "{\"name\":\"ops\",\"password\":\"ops-passw\",\"role\":\"operator\"}").status());
            long vol = h.send("POST", "/api/v1/volumes", admin, VolumeApiTest.volumeBody("v", 1 << 20)).body()
                    .get("id").asLong();

            String viewer = h.login("viewer", "viewer-pass");
            assertEquals(200, h.get("/api/v1/volumes/" + vol, viewer).status());
            ApiHarness.Reply create = h.send("POST", "/api/v1/volumes", viewer, VolumeApiTest.volumeBody("w", 1 << 20));
            assertEquals(403, create.status(), create.toString());
            assertEquals("forbidden", create.body().get("code").asText());
            assertEquals(403, h.send("PATCH", "/api/v1/volumes/" + vol, viewer, "{\"name\":\"renamed\"}").status());
            assertEquals(403, h.get("/api/v1/users", viewer).status());
            assertEquals(1, h.engine.volumes().size());
            assertEquals("v", h.engine.volume(vol).name(), "a refused rename changed nothing");

            String ops = h.login("ops", "ops-passw");
            assertEquals(201, h.send("POST", "/api/v1/volumes", ops, VolumeApiTest.volumeBody("w", 1 << 20)).status());
            assertEquals(403, h.send("DELETE", "/api/v1/volumes/" + vol, ops, null).status(), "operators delete nothing");
            assertEquals(403, h.send("POST", "/api/v1/users", ops,
                    "{\"name\":\"sneaky\",\"password\":\"sneaky-pw\",\"role\":\"admin\"}").status());
            assertEquals(403, h.send("PATCH", "/api/v1/users/ops", ops, "{\"role\":\"admin\"}").status());
            assertEquals(403, h.send("PATCH", "/api/v1/users/viewer", ops, "{\"password\":\"hijacked-pw\"}").status());
            assertEquals(2, h.engine.volumes().size());

            // a user changes their own password: old sessions end, the new password works
            assertEquals(200, h.send("PATCH", "/api/v1/users/viewer", viewer, "{\"password\":\"viewer-pass-2\"}").status());
            assertEquals(401, h.get("/api/v1/volumes", viewer).status());
            h.login("viewer", "viewer-pass-2");

            ApiHarness.Reply lastAdmin = h.send("DELETE", "/api/v1/users/admin", admin, null);
            assertEquals(409, lastAdmin.status(), lastAdmin.toString());
            assertEquals(204, h.send("DELETE", "/api/v1/users/ops", admin, null).status());
            assertEquals(401, h.get("/api/v1/volumes", ops).status(), "a deleted user's token dies with it");

            // the audit trail names who tried what, refused attempts included
            var events = h.get("/api/v1/audit_events", admin).body();
            boolean sawRefusedCreate = false;
            for (var e : events) {
                sawRefusedCreate |= "viewer".equals(e.path("user").asText()) && e.get("status").asInt() == 403
                        && e.get("path").asText().equals("/api/v1/volumes");
            }
            assertTrue(sawRefusedCreate, events.toString());
            String log = Files.readString(dir.resolve("audit.log"));
            assertTrue(log.contains("\"user\":\"ops\"") && log.contains("\"method\":\"DELETE\""), log);
            assertTrue(!log.contains("viewer-pass"), "the audit log never holds a password");
        }
    }

    @Test
    void usersAndTheirRolesSurviveARestartButTokensDoNot() throws Exception {
        String token;
        try (ApiHarness h = new ApiHarness(dir)) {
            String admin = h.admin();
            assertEquals(201, h.send("POST", "/api/v1/users", admin,
                    "{\"name\":\"keeper\",\"password\":\"keeper-pass\",\"role\":\"operator\"}").status());
            token = h.login("keeper", "keeper-pass");
        }
        try (ApiHarness h = new ApiHarness(dir)) {
            assertEquals(401, h.get("/api/v1/volumes", token).status(), "tokens live in memory only");
            String again = h.login("keeper", "keeper-pass");
            assertEquals(403, h.send("DELETE", "/api/v1/volumes/1", again, null).status(), "still an operator");
            assertEquals(401, h.send("POST", "/api/v1/login", null,
                    "{\"username\":\"admin\",\"password\":\"" + ApiHarness.ADMIN_PASSWORD + "x\"}").status());
        }
    }

    @Test
    void firstStartWritesAGeneratedPasswordOnlyTheOwnerCanRead() throws Exception {
        io.tamp.datapath.volume.Engine engine = io.tamp.datapath.volume.Engine.open(
                io.tamp.datapath.volume.EngineConfig.small(dir.resolve("pool"), 2, 64L << 20));
        try {
            io.tamp.mgmt.auth.Users users = new io.tamp.mgmt.auth.Users(engine, Json.mapper());
            users.ensureAdmin(dir, null);
            Path file = dir.resolve("initial-admin-password");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            String pw = Files.readString(file).strip();
            assertEquals(20, pw.length());
            assertTrue(users.login("admin", pw) != null);
            users.ensureAdmin(dir, "another-password");
            assertTrue(users.login("admin", "another-password") == null, "ensureAdmin never resets an existing admin");
        } finally {
            engine.close();
        }
    }
}
