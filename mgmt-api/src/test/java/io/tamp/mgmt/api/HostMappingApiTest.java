package io.tamp.mgmt.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tamp.datapath.frontend.LunMap;
import io.tamp.datapath.volume.Engine;
import io.tamp.datapath.volume.EngineConfig;
import io.tamp.mgmt.catalog.Catalog;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hosts, host groups and mappings: what the API records is what the frontends' LUN map shows, live and after restart. */
class HostMappingApiTest {
    static final String IQN_A = "iqn.1994-05.com.redhat:host-a";
    static final String NQN_A = "nqn.2014-08.org.nvmexpress:uuid:aaaaaaaa-0000-0000-0000-000000000001";
    static final String IQN_B = "iqn.1994-05.com.redhat:host-b";

    @TempDir
    Path dir;

    static String host(String name, String... initiators) {
        StringBuilder b = new StringBuilder("{\"name\":\"" + name + "\",\"initiators\":[");
        for (int i = 0; i < initiators.length; i++) {
            String p = initiators[i].startsWith("nqn.") ? "nvme" : "iscsi";
            b.append(i > 0 ? "," : "").append("{\"protocol\":\"").append(p).append("\",\"port_name\":\"")
                    .append(initiators[i]).append("\"}");
        }
        return b.append("]}").toString();
    }

    @Test
    void mappingsShowVolumesToTheirHostsOnlyAndSurviveRestart() throws Exception {
        long v1;
        long v2;
        try (ApiHarness h = new ApiHarness(dir)) {
            String t = h.admin();
            v1 = h.send("POST", "/api/v1/volumes", t, VolumeApiTest.volumeBody("v1", 1 << 20)).body().get("id").asLong();
            v2 = h.send("POST", "/api/v1/volumes", t, VolumeApiTest.volumeBody("v2", 1 << 20)).body().get("id").asLong();
            ApiHarness.Reply a = h.send("POST", "/api/v1/hosts", t, host("a", IQN_A, NQN_A));
            assertEquals(201, a.status(), a.toString());
            long hostA = a.body().get("id").asLong();
            long hostB = h.send("POST", "/api/v1/hosts", t, host("b", IQN_B)).body().get("id").asLong();

            ApiHarness.Reply m = h.send("POST", "/api/v1/volumes/" + v1 + "/mappings", t, "{\"host_id\":" + hostA + "}");
            assertEquals(201, m.status(), m.toString());
            assertEquals(0, m.body().get("lun").asLong());
            assertEquals(1, m.body().get("nvme_nsid").asLong());
            assertEquals(v1, h.lunMap.volume(IQN_A, 0).id(), "iSCSI sees the volume at once");
            assertEquals(v1, h.lunMap.volume(NQN_A, 0).id(), "and so does NVMe");
            assertTrue(h.lunMap.luns(IQN_B).isEmpty(), "another host sees nothing");
            assertTrue(h.get("/api/v1/volumes/" + v1, t).body().get("mapped").asBoolean());

            assertEquals(409, h.send("POST", "/api/v1/volumes/" + v1 + "/mappings", t, "{\"host_id\":" + hostA + "}")
                    .status(), "the same volume twice to one host");
            ApiHarness.Reply lunTaken = h.send("POST", "/api/v1/volumes/" + v2 + "/mappings", t,
                    "{\"host_id\":" + hostA + ",\"lun\":0}");
            assertEquals(409, lunTaken.status(), lunTaken.toString());
            assertEquals("lun_in_use", lunTaken.body().get("code").asText());
            assertEquals(400, h.send("POST", "/api/v1/volumes/" + v2 + "/mappings", t, "{}").status());
            assertEquals(400, h.send("POST", "/api/v1/volumes/" + v2 + "/mappings", t,
                    "{\"host_id\":" + hostA + ",\"lun\":16384}").status());
            assertEquals(404, h.send("POST", "/api/v1/volumes/" + v2 + "/mappings", t, "{\"host_id\":99}").status());

            // a group: both hosts see v2 at the lowest LUN free on both
            ApiHarness.Reply g = h.send("POST", "/api/v1/host_groups", t,
                    "{\"name\":\"cluster\",\"host_ids\":[" + hostA + "," + hostB + "]}");
            assertEquals(201, g.status(), g.toString());
            long group = g.body().get("id").asLong();
            JsonNode gm = h.send("POST", "/api/v1/volumes/" + v2 + "/mappings", t, "{\"host_group_id\":" + group + "}").body();
            assertEquals(1, gm.get("lun").asLong(), gm.toString());
            assertEquals(v2, h.lunMap.volume(IQN_B, 1).id());
            assertEquals(v2, h.lunMap.volume(NQN_A, 1).id());
            assertEquals(2, h.get("/api/v1/hosts/" + hostA, t).body().get("mapped_volume_ids").size());

            ApiHarness.Reply del = h.send("DELETE", "/api/v1/volumes/" + v1, t, null);
            assertEquals(409, del.status(), del.toString());
            assertEquals("volume_mapped", del.body().get("code").asText());
            assertEquals(409, h.send("DELETE", "/api/v1/hosts/" + hostA, t, null).status());
            ApiHarness.Reply badHost = h.send("POST", "/api/v1/hosts", t, host("c", "not-an-iqn"));
            assertEquals(400, badHost.status(), badHost.toString());
            assertEquals("initiators[0]", badHost.body().get("field").asText());
            assertEquals(409, h.send("POST", "/api/v1/hosts", t, host("c", IQN_B)).status(), "an initiator has one host");
            assertEquals(409, h.send("POST", "/api/v1/hosts", t, host("a", "iqn.2000-01.x:y")).status());
        }
        // restart: the catalog comes back and is applied to a fresh LUN map
        try (Engine e = Engine.open(EngineConfig.small(dir.resolve("pool"), 2, 64L << 20))) {
            LunMap fresh = new LunMap();
            Catalog c = new Catalog(e, fresh, Json.mapper());
            assertEquals(2, c.hosts().size());
            assertEquals(v1, fresh.volume(IQN_A, 0).id());
            assertEquals(v2, fresh.volume(IQN_B, 1).id());
            assertEquals(1, c.groups().size());
        }
        try (ApiHarness h = new ApiHarness(dir)) {
            String t = h.admin();
            JsonNode maps = h.get("/api/v1/volumes/" + v1 + "/mappings", t).body();
            assertEquals(1, maps.size(), maps.toString());
            assertEquals(204, h.send("DELETE", "/api/v1/volumes/" + v1 + "/mappings/" + maps.get(0).get("id").asLong(),
                    t, null).status());
            assertTrue(h.lunMap.luns(IQN_A).size() == 1 && h.lunMap.volume(IQN_A, 0) == null, "unmapped: gone at once");
            assertEquals(404, h.send("DELETE", "/api/v1/volumes/" + v1 + "/mappings/" + maps.get(0).get("id").asLong(),
                    t, null).status());
            assertEquals(202, h.send("DELETE", "/api/v1/volumes/" + v2 + "?force=true", t, null).status());
            assertTrue(h.lunMap.luns(IQN_B).isEmpty(), "a force-deleted volume leaves every host");
        }
    }

    @Test
    void iscsiNamesAreStoredInLowerCaseAndOneInitiatorHasOneHostInAnyCase() throws Exception {
        String shouted = "IQN.1994-05.COM.Redhat:Host-A";
        String nqn = "nqn.2014-08.org.nvmexpress:uuid:AAAAAAAA-0000-0000-0000-000000000001";
        String lowerNqn = nqn.toLowerCase(java.util.Locale.ROOT);
        long hostA;
        long v;
        try (ApiHarness h = new ApiHarness(dir)) {
            String t = h.admin();
            ApiHarness.Reply a = h.send("POST", "/api/v1/hosts", t, host("a", shouted, nqn));
            assertEquals(201, a.status(), a.toString());
            hostA = a.body().get("id").asLong();
            JsonNode ports = a.body().get("initiators");
            assertEquals(IQN_A, ports.get(0).get("port_name").asText(), "the normal form is shown");
            assertEquals(nqn, ports.get(1).get("port_name").asText(), "an NQN keeps its case");
            assertEquals(IQN_A, h.get("/api/v1/hosts/" + hostA, t).body().get("initiators").get(0).get("port_name")
                    .asText());

            ApiHarness.Reply again = h.send("POST", "/api/v1/hosts", t, host("b", "iqn.1994-05.com.redhat:HOST-a"));
            assertEquals(409, again.status(), "the same initiator spelt differently: " + again);
            assertEquals("initiator_in_use", again.body().get("code").asText());
            long hostB = h.send("POST", "/api/v1/hosts", t, host("b", IQN_B)).body().get("id").asLong();
            ApiHarness.Reply patched = h.send("PATCH", "/api/v1/hosts/" + hostB, t,
                    "{\"initiators\":[{\"protocol\":\"iscsi\",\"port_name\":\"Iqn.1994-05.com.REDHAT:host-a\"}]}");
            assertEquals(409, patched.status(), patched.toString());
            ApiHarness.Reply twice = h.send("POST", "/api/v1/hosts", t,
                    host("c", "iqn.2000-01.x:y", "IQN.2000-01.X:Y"));
            assertEquals(400, twice.status(), "listed twice in one host: " + twice);
            assertEquals("initiators[1]", twice.body().get("field").asText());
            ApiHarness.Reply otherNqn = h.send("POST", "/api/v1/hosts", t, host("d", lowerNqn));
            assertEquals(201, otherNqn.status(), "NQNs are case-sensitive: another case is another host: " + otherNqn);

            v = h.send("POST", "/api/v1/volumes", t, VolumeApiTest.volumeBody("v", 1 << 20)).body().get("id").asLong();
            assertEquals(201, h.send("POST", "/api/v1/volumes/" + v + "/mappings", t, "{\"host_id\":" + hostA + "}")
                    .status());
            assertEquals(v, h.lunMap.volume(IQN_A, 0).id(), "the LUN map has the name as the login presents it");
            assertTrue(h.lunMap.luns(shouted).isEmpty());
            assertEquals(v, h.lunMap.volume(nqn, 0).id());
            assertTrue(h.lunMap.luns(lowerNqn).isEmpty(), "the other-case NQN is another host");
        }
        // a record stored in another case (before names were normalised) loads in the normal form
        try (Engine e = Engine.open(EngineConfig.small(dir.resolve("pool"), 2, 64L << 20))) {
            e.putControllerRecords(java.util.Map.of("host." + hostA, ("{\"id\":" + hostA + ",\"name\":\"a\","
                    + "\"description\":\"\",\"initiators\":[{\"protocol\":\"iscsi\",\"port_name\":\"" + shouted
                    + "\"}],\"host_group_id\":null}").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            LunMap fresh = new LunMap();
            Catalog c = new Catalog(e, fresh, Json.mapper());
            assertEquals(IQN_A, c.host(hostA).initiators().get(0).portName());
            assertEquals(v, fresh.volume(IQN_A, 0).id());
        }
    }
}
