package io.tamp.mgmt.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tamp.datapath.frontend.LunMap;
import io.tamp.datapath.volume.Engine;
import io.tamp.datapath.volume.EngineConfig;
import io.tamp.mgmt.catalog.Catalog;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-host CHAP through the API: validated, persisted, handed to the iSCSI login, never shown. */
class HostChapApiTest {
    static final String IQN = "iqn.1994-05.com.redhat:chap-host";
    static final String SECRET = "host-chap-secret-1";

    @TempDir
    Path dir;

    @Test
    void credentialsAreValidatedStoredAndNeverReturned() throws Exception {
        long id;
        try (ApiHarness h = new ApiHarness(dir)) {
            String t = h.admin();
            String base = "{\"name\":\"db\",\"initiators\":[{\"protocol\":\"iscsi\",\"port_name\":\"" + IQN + "\"},"
                    + "{\"protocol\":\"nvme\",\"port_name\":\"nqn.2014-08.org.nvmexpress:uuid:chap\"}]";
            ApiHarness.Reply half = h.send("POST", "/api/v1/hosts", t, base + ",\"chap_username\":\"db\"}");
            assertEquals(400, half.status(), half.toString());
            assertEquals("chap_secret", half.body().get("field").asText());
            ApiHarness.Reply shortSecret = h.send("POST", "/api/v1/hosts", t,
                    base + ",\"chap_username\":\"db\",\"chap_secret\":\"short\"}");
            assertEquals(400, shortSecret.status(), shortSecret.toString());
            assertEquals("chap_secret", shortSecret.body().get("field").asText());
            ApiHarness.Reply badName = h.send("POST", "/api/v1/hosts", t,
                    base + ",\"chap_username\":\"has space\",\"chap_secret\":\"" + SECRET + "\"}");
            assertEquals(400, badName.status(), badName.toString());
            assertEquals(0, h.get("/api/v1/hosts", t).body().size(), "refused requests created nothing");

            ApiHarness.Reply created = h.send("POST", "/api/v1/hosts", t,
                    base + ",\"chap_username\":\"db\",\"chap_secret\":\"" + SECRET + "\"}");
            assertEquals(201, created.status(), created.toString());
            id = created.body().get("id").asLong();
            assertTrue(created.body().get("chap").asBoolean());
            for (String body : new String[] {created.raw(), h.get("/api/v1/hosts/" + id, t).raw(),
                h.get("/api/v1/hosts", t).raw(), Files.readString(dir.resolve("audit.log"))}) {
                assertFalse(body.contains(SECRET), "the secret never leaves: " + body);
                assertFalse(body.contains("chap_secret"), body);
            }
            assertEquals("db", h.controller.catalog().chapFor(IQN).user());
            assertEquals(SECRET, h.controller.catalog().chapFor(IQN).secret());
            assertFalse(h.controller.catalog().chapFor(IQN).toString().contains(SECRET));
            assertFalse(h.controller.catalog().host(id).toString().contains(SECRET), "a host's toString hides it too");
            assertNull(h.controller.catalog().chapFor("nqn.2014-08.org.nvmexpress:uuid:chap"), "CHAP is iSCSI's");
        }
        try (Engine e = Engine.open(EngineConfig.small(dir.resolve("pool"), 2, 64L << 20))) {
            Catalog c = new Catalog(e, new LunMap(), Json.mapper());
            assertEquals(SECRET, c.chapFor(IQN).secret(), "credentials survive a restart");
        }
        try (ApiHarness h = new ApiHarness(dir)) {
            String t = h.admin();
            ApiHarness.Reply rotated = h.send("PATCH", "/api/v1/hosts/" + id, t,
                    "{\"chap_username\":\"db2\",\"chap_secret\":\"another-secret-22\"}");
            assertEquals(200, rotated.status(), rotated.toString());
            assertEquals("db2", h.controller.catalog().chapFor(IQN).user());
            ApiHarness.Reply renamed = h.send("PATCH", "/api/v1/hosts/" + id, t, "{\"name\":\"db-renamed\"}");
            assertTrue(renamed.body().get("chap").asBoolean(), "a patch without CHAP fields keeps them");
            ApiHarness.Reply cleared = h.send("PATCH", "/api/v1/hosts/" + id, t, "{\"chap_username\":\"\"}");
            assertEquals(200, cleared.status(), cleared.toString());
            assertFalse(cleared.body().get("chap").asBoolean());
            assertNull(h.controller.catalog().chapFor(IQN));
        }
    }

    @Test
    void aPatchValidatesTheCredentialsAndLeavesTheHostAsItWasWhenRefused() throws Exception {
        try (ApiHarness h = new ApiHarness(dir)) {
            String t = h.admin();
            long id = h.send("POST", "/api/v1/hosts", t, "{\"name\":\"db\",\"initiators\":[{\"protocol\":\"iscsi\","
                    + "\"port_name\":\"" + IQN + "\"}],\"chap_username\":\"db\",\"chap_secret\":\"" + SECRET + "\"}")
                    .body().get("id").asLong();
            String[][] refused = {
                {"{\"chap_secret\":\"rotated-secret-1\"}", "chap_username"},
                {"{\"chap_username\":\"db2\"}", "chap_secret"},
                {"{\"chap_username\":\"db\",\"chap_secret\":\"" + "s".repeat(11) + "\"}", "chap_secret"},
                {"{\"chap_username\":\"db\",\"chap_secret\":\"" + "s".repeat(256) + "\"}", "chap_secret"},
                {"{\"chap_username\":\"db\",\"chap_secret\":\"" + "\u00e9".repeat(128) + "\"}", "chap_secret"}, // 256 bytes
                {"{\"chap_username\":\"\",\"chap_secret\":\"rotated-secret-1\"}", "chap_username"},
            };
            for (String[] r : refused) {
                ApiHarness.Reply reply = h.send("PATCH", "/api/v1/hosts/" + id, t, r[0]);
                assertEquals(400, reply.status(), r[0] + " -> " + reply);
                assertEquals(r[1], reply.body().get("field").asText(), r[0] + " -> " + reply);
                assertFalse(reply.raw().contains("rotated-secret-1") || reply.raw().contains("sssssssssss"), reply.raw());
                assertEquals(SECRET, h.controller.catalog().chapFor(IQN).secret(), "a refused PATCH changes nothing");
            }
            for (String secret : new String[] {"s".repeat(12), "s".repeat(255)}) {
                ApiHarness.Reply ok = h.send("PATCH", "/api/v1/hosts/" + id, t,
                        "{\"chap_username\":\"db\",\"chap_secret\":\"" + secret + "\"}");
                assertEquals(200, ok.status(), ok.toString());
                assertEquals(secret, h.controller.catalog().chapFor(IQN).secret());
            }
        }
    }

    @Test
    void hostsStoredBeforeChapExistedLoadWithoutIt() throws Exception {
        try (Engine e = Engine.open(EngineConfig.small(dir.resolve("pool"), 2, 64L << 20))) {
            // a host record exactly as written before hosts had CHAP fields
            e.putControllerRecords(java.util.Map.of("host.1", ("{\"id\":1,\"name\":\"old\",\"description\":\"\","
                    + "\"initiators\":[{\"protocol\":\"iscsi\",\"port_name\":\"" + IQN + "\"}],"
                    + "\"host_group_id\":null}").getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    "seq.host", "1".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        try (ApiHarness h = new ApiHarness(dir)) {
            String t = h.admin();
            ApiHarness.Reply old = h.get("/api/v1/hosts/1", t);
            assertEquals(200, old.status(), old.toString());
            assertEquals("old", old.body().get("name").asText());
            assertFalse(old.body().get("chap").asBoolean());
            assertNull(h.controller.catalog().chapFor(IQN));
            ApiHarness.Reply set = h.send("PATCH", "/api/v1/hosts/1", t,
                    "{\"chap_username\":\"old\",\"chap_secret\":\"" + SECRET + "\"}");
            assertEquals(200, set.status(), set.toString());
            assertTrue(set.body().get("chap").asBoolean());
            assertEquals("old", h.controller.catalog().chapFor(IQN).user());
        }
    }
}
