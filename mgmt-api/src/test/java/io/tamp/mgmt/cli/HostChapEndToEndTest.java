package io.tamp.mgmt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tamp.mgmt.cli.ServedPortal.Run;
import io.tamp.mgmt.client.TampClient;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CHAP set on a host through the API guards that host's iSCSI logins at once, for a real initiator,
 * whichever case the initiator spells its name in.
 */
class HostChapEndToEndTest {
    private static final String IQN = "iqn.2026-11.io.tamp.test:chap-tools";
    private static final String OTHER_IQN = "iqn.2026-11.io.tamp.test:chap-other";

    @TempDir
    Path tmp;

    @Test
    void aHostsChapCredentialsGuardItsLogins() throws Exception {
        ServedPortal.requireTools("libiscsi-bin", "iscsi-inq");
        try (ServedPortal served = new ServedPortal(tmp.resolve("data"), 1)) {
            TampClient api = new TampClient(served.apiUrl(), null, false);
            api.login("admin", ServedPortal.ADMIN_PASSWORD);
            ObjectMapper json = api.json();
            long vol = api.post("/api/v1/volumes", json.readTree("{\"name\":\"v\",\"size_bytes\":16777216}"))
                    .get("id").asLong();
            long host = api.post("/api/v1/hosts", json.readTree("{\"name\":\"tools\",\"initiators\":[{\"protocol\":"
                    + "\"iscsi\",\"port_name\":\"" + IQN + "\"}],\"chap_username\":\"tools\","
                    + "\"chap_secret\":\"tools-secret-0042\"}")).get("id").asLong();
            api.post("/api/v1/volumes/" + vol + "/mappings", json.readTree("{\"host_id\":" + host + "}"));
            String url = served.lunUrl(0);

            Run none = ServedPortal.run(60, "iscsi-inq", "-i", IQN, url);
            assertNotEquals(0, none.code(), "a login without CHAP must fail: " + none);
            Run wrong = ServedPortal.run(60, "iscsi-inq", "-i", IQN, url.replace("iscsi://", "iscsi://tools%wrong-secret-000@"));
            assertNotEquals(0, wrong.code(), "a wrong secret must fail: " + wrong);
            api.post("/api/v1/hosts", json.readTree("{\"name\":\"other\",\"initiators\":[{\"protocol\":\"iscsi\","
                    + "\"port_name\":\"" + OTHER_IQN + "\"}],\"chap_username\":\"other\","
                    + "\"chap_secret\":\"other-secret-0099\"}"));
            Run foreign = ServedPortal.run(60, "iscsi-inq", "-i", IQN,
                    url.replace("iscsi://", "iscsi://other%other-secret-0099@"));
            assertNotEquals(0, foreign.code(), "another host's credentials must fail: " + foreign);
            for (Run refused : new Run[] {none, wrong, foreign}) {
                assertTrue(refused.out().contains("Authentication failure"), "refused at login with 0x0201: " + refused);
            }
            Run ok = ServedPortal.run(60, "iscsi-inq", "-i", IQN, url.replace("iscsi://", "iscsi://tools%tools-secret-0042@"));
            assertEquals(0, ok.code(), ok.toString());
            assertTrue(ok.out().contains("DIRECT_ACCESS"), ok.toString());

            api.patch("/api/v1/hosts/" + host, json.readTree("{\"chap_username\":\"\"}"));
            Run open = ServedPortal.run(60, "iscsi-inq", "-i", IQN, url);
            assertEquals(0, open.code(), "CHAP removed: the next login needs none: " + open);
        }
    }

    @Test
    void aHostsChapAndLunsHoldForAnySpellingOfItsName() throws Exception {
        ServedPortal.requireTools("libiscsi-bin", "iscsi-inq");
        try (ServedPortal served = new ServedPortal(tmp.resolve("data"), 1, "--volume", "w:16M",
                "--map", "w:IQN.2026-11.IO.Tamp.Test:Map-Tools:0")) {
            TampClient api = new TampClient(served.apiUrl(), null, false);
            api.login("admin", ServedPortal.ADMIN_PASSWORD);
            ObjectMapper json = api.json();
            long vol = api.post("/api/v1/volumes", json.readTree("{\"name\":\"v\",\"size_bytes\":16777216}"))
                    .get("id").asLong();
            var created = api.post("/api/v1/hosts", json.readTree("{\"name\":\"tools\",\"initiators\":[{\"protocol\":"
                    + "\"iscsi\",\"port_name\":\"IQN.2026-11.IO.Tamp.Test:Chap-Tools\"}],\"chap_username\":\"tools\","
                    + "\"chap_secret\":\"tools-secret-0042\"}"));
            assertEquals(IQN, created.get("initiators").get(0).get("port_name").asText(), "stored in lower case");
            api.post("/api/v1/volumes/" + vol + "/mappings", json.readTree("{\"host_id\":" + created.get("id") + "}"));
            String spelt = "iqn.2026-11.io.tamp.test:CHAP-tools";
            String url = served.lunUrl(0).replace(ServedPortal.TARGET, ServedPortal.TARGET.toUpperCase(Locale.ROOT));

            Run none = ServedPortal.run(60, "iscsi-inq", "-i", spelt, url);
            assertNotEquals(0, none.code(), "the host's CHAP binds this spelling too: " + none);
            assertTrue(none.out().contains("Authentication failure"), none.toString());
            Run ok = ServedPortal.run(60, "iscsi-inq", "-i", spelt,
                    url.replace("iscsi://", "iscsi://tools%tools-secret-0042@"));
            assertEquals(0, ok.code(), ok.toString());
            assertTrue(ok.out().contains("DIRECT_ACCESS"), "LUN 0 is the host's volume: " + ok);
            Run mapped = ServedPortal.run(60, "iscsi-inq", "-i", "iqn.2026-11.io.tamp.test:map-tools", url);
            assertEquals(0, mapped.code(), "--map's initiator in another case sees its LUN: " + mapped);
        }
    }
}
