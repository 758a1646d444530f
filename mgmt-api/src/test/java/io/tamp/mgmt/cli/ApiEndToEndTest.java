package io.tamp.mgmt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tamp.mgmt.cli.ServedPortal.Run;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An admin's day through the REST API of a started controller, with a real iSCSI initiator on the
 * other side: create a volume, a host and a mapping; the host attaches, writes a file twice and
 * the API reports the dedup; unmapping hides the LUN from the host at once.
 */
class ApiEndToEndTest {
    private static final String QEMU_IQN = "iqn.2008-11.org.linux-kvm";
    private static final String TOOLS_IQN = "iqn.2026-11.io.tamp.test:api-tools";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newHttpClient();

    private JsonNode call(String base, String method, String path, String token, String body, int expect)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(expect, r.statusCode(), method + " " + path + " -> " + r.body());
        return r.body().isEmpty() || !r.headers().firstValue("content-type").orElse("").contains("json")
                ? null : JSON.readTree(r.body());
    }

    @Test
    void mapAttachWriteTwiceSeeDedupUnmapAndTheLunIsGone() throws Exception {
        ServedPortal.requireTools("libiscsi-bin qemu-utils", "iscsi-inq", "qemu-img", "qemu-io");
        try (ServedPortal served = new ServedPortal(tmp.resolve("data"), 1)) {
            String api = served.apiUrl();
            String token = call(api, "POST", "/api/v1/login", null,
                    "{\"username\":\"admin\",\"password\":\"" + ServedPortal.ADMIN_PASSWORD + "\"}", 200)
                    .get("token").asText();
            JsonNode volume = call(api, "POST", "/api/v1/volumes", token,
                    "{\"name\":\"shared\",\"size_bytes\":67108864}", 201);
            long id = volume.get("id").asLong();
            assertEquals(ServedPortal.TARGET, volume.get("iscsi_target_iqn").asText());
            String lun = served.lunUrl(0);
            Run hidden = ServedPortal.run(60, "iscsi-inq", "-i", TOOLS_IQN, lun);
            assertNotEquals(0, hidden.code(), "nothing is mapped yet: " + hidden);

            long host = call(api, "POST", "/api/v1/hosts", token, "{\"name\":\"app1\",\"initiators\":["
                    + "{\"protocol\":\"iscsi\",\"port_name\":\"" + QEMU_IQN + "\"},"
                    + "{\"protocol\":\"iscsi\",\"port_name\":\"" + TOOLS_IQN + "\"}]}", 201).get("id").asLong();
            JsonNode mapping = call(api, "POST", "/api/v1/volumes/" + id + "/mappings", token,
                    "{\"host_id\":" + host + "}", 201);
            assertEquals(0, mapping.get("lun").asLong());

            Run inq = ServedPortal.run(60, "iscsi-inq", "-e", "1", "-c", "131", "-i", TOOLS_IQN, lun);
            assertEquals(0, inq.code(), inq.toString());
            // libiscsi prints the T10 designator as text (the NAA one raw): it ends in the serial the WWN ends in
            String serial = volume.get("wwn").asText().substring(volume.get("wwn").asText().length() - 16);
            assertTrue(inq.out().contains("Designator:[TAMP    " + serial + "]"),
                    "VPD 0x83 names the volume the API reported (" + volume.get("wwn") + "):\n" + inq);

            Path file = tmp.resolve("file");
            Files.write(file, fileContent());
            Run put = ServedPortal.run(120, "qemu-io", "-f", "raw", "-c", "write -s " + file + " 0 " + (4 << 20), lun);
            assertEquals(0, put.code(), put.toString());
            Run put2 = ServedPortal.run(120, "qemu-io", "-f", "raw", "-c", "write -s " + file + " 32M " + (4 << 20),
                    "-c", "flush", lun);
            assertEquals(0, put2.code(), put2.toString());

            JsonNode space = call(api, "GET", "/api/v1/volumes/" + id + "/space", token, null, 200);
            assertEquals(8 << 20, space.get("logical_used").asLong(), space.toString());
            assertTrue(space.get("dedup_ratio").asDouble() > 1.95, "the second copy deduplicated: " + space);
            JsonNode pool = call(api, "GET", "/api/v1/space", token, null, 200);
            for (String field : new String[] {"logical_provisioned", "logical_used", "unique_data_physical",
                "physical_used", "dedup_ratio", "compression_ratio", "data_reduction_ratio"}) {
                assertTrue(pool.has(field), field + " missing from " + pool);
            }
            assertTrue(pool.get("dedup_ratio").asDouble() > 1.95, pool.toString());
            assertTrue(pool.get("data_reduction_ratio").asDouble() > pool.get("dedup_ratio").asDouble(),
                    "text compresses on top of dedup: " + pool);

            JsonNode metrics = call(api, "GET", "/api/v1/metrics?window_seconds=300", token, null, 200);
            long writes = 0;
            for (JsonNode s : metrics) {
                if (s.get("volume_id").asLong() == id && s.get("protocol").asText().equals("iscsi")) {
                    // the window holds whole seconds only, so a write of this very second shows in the totals
                    writes += s.get("write").get("total_operations").asLong();
                    assertTrue(s.get("write").get("total_bytes").asLong() >= 8 << 20, s.toString());
                }
            }
            assertTrue(writes > 0, "the writes show in the metrics: " + metrics);
            HttpResponse<String> prom = http.send(HttpRequest.newBuilder(URI.create(api + "/metrics"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, prom.statusCode());
            assertTrue(prom.body().contains("tamp_pool_data_reduction_ratio "), prom.body());
            assertTrue(prom.body().contains("tamp_io_operations_total{op=\"write\",protocol=\"iscsi\",volume=\"shared\"}"),
                    prom.body());
            assertTrue(prom.body().contains("tamp_io_latency_seconds{op=\"write\",protocol=\"iscsi\",volume=\"shared\","
                    + "quantile=\"0.99\"}"), prom.body());

            call(api, "DELETE", "/api/v1/volumes/" + id + "/mappings/" + mapping.get("id").asLong(), token, null, 204);
            Run gone = ServedPortal.run(60, "iscsi-inq", "-i", TOOLS_IQN, lun);
            assertNotEquals(0, gone.code(), "an unmapped LUN is gone: " + gone);
            assertTrue(gone.out().contains("LOGICAL_UNIT_NOT_SUPPORTED"), gone.toString());
            Run ls = ServedPortal.run(60, "iscsi-ls", "-s", "-i", TOOLS_IQN, "iscsi://127.0.0.1:" + served.port);
            assertTrue(!ls.out().contains("Lun:0"), "REPORT LUNS lists nothing: " + ls);
        }
    }

    @Test
    void theCliDrivesTheApiAsAUserWould() throws Exception {
        try (ServedPortal served = new ServedPortal(tmp.resolve("data"), 1)) {
            Map<String, String> env = Map.of("TAMP_URL", served.apiUrl(), "TAMP_PASSWORD", ServedPortal.ADMIN_PASSWORD);
            Cli.Result create = ChildJvm.run(tmp, env, "volume", "create", "cli-vol", "1G", "--description", "from the CLI");
            assertEquals(0, create.exitCode(), create.toString());
            assertTrue(create.out().contains("cli-vol") && create.out().contains("1073741824"), create.toString());

            Cli.Result list = ChildJvm.run(tmp, env, "volume", "list");
            assertEquals(0, list.exitCode(), list.toString());
            assertTrue(list.out().startsWith("ID"), list.toString());
            assertTrue(list.out().contains("cli-vol") && list.out().contains("1.0 GiB"), list.toString());

            Cli.Result json = ChildJvm.run(tmp, env, "volume", "list", "--json");
            assertEquals("cli-vol", json.json().get("items").get(0).get("name").asText(), json.toString());

            java.nio.file.Path secret = Files.writeString(tmp.resolve("chap-secret"), "db-chap-secret-01\n");
            Cli.Result host = ChildJvm.run(tmp, env, "host", "create", "db", "--iscsi", "iqn.2026-11.io.tamp.test:db",
                    "--nvme", "nqn.2014-08.org.nvmexpress:uuid:00000000-0000-0000-0000-0000000000db",
                    "--chap-username", "db", "--chap-secret-file", secret.toString());
            assertEquals(0, host.exitCode(), host.toString());
            Cli.Result hosts = ChildJvm.run(tmp, env, "host", "list", "--json");
            assertTrue(hosts.json().get(0).get("chap").asBoolean(), hosts.toString());
            assertTrue(!hosts.out().contains("db-chap-secret-01"), hosts.toString());
            Cli.Result map = ChildJvm.run(tmp, env, "map", "add", "cli-vol", "db", "--json");
            assertEquals(0, map.exitCode(), map.toString());
            assertEquals(1, map.json().get("nvme_nsid").asLong(), map.toString());
            Cli.Result snap = ChildJvm.run(tmp, env, "snapshot", "create", "cli-vol", "snap1");
            assertEquals(0, snap.exitCode(), snap.toString());
            Cli.Result space = ChildJvm.run(tmp, env, "space", "--json");
            assertEquals(0, space.exitCode(), space.toString());
            assertEquals(1L << 30, space.json().get("logical_provisioned").asLong(), space.toString());
            Cli.Result metrics = ChildJvm.run(tmp, env, "metrics");
            assertEquals(0, metrics.exitCode(), metrics.toString());
            assertTrue(metrics.out().startsWith("VOLUME"), metrics.toString());

            Cli.Result dup = ChildJvm.run(tmp, env, "volume", "create", "cli-vol", "1G");
            assertEquals(1, dup.exitCode(), dup.toString());
            assertEquals(1, dup.err().lines().count(), "one line on failure: " + dup);
            assertTrue(dup.err().startsWith("tamp volume create: 409 name_in_use:"), dup.toString());
            Cli.Result mapped = ChildJvm.run(tmp, env, "volume", "delete", "cli-vol");
            assertEquals(1, mapped.exitCode(), mapped.toString());
            assertTrue(mapped.err().contains("409 volume_mapped"), mapped.toString());
            Cli.Result wrongPw = ChildJvm.run(tmp, Map.of("TAMP_URL", served.apiUrl(), "TAMP_PASSWORD", "nope-nope-nope"),
                    "volume", "list");
            assertEquals(1, wrongPw.exitCode(), wrongPw.toString());
            assertTrue(wrongPw.err().startsWith("tamp volume list: 401 bad_credentials"), wrongPw.toString());
            Cli.Result badSize = ChildJvm.run(tmp, env, "volume", "create", "x", "lots");
            assertEquals(1, badSize.exitCode(), badSize.toString());
            assertTrue(badSize.err().contains("not a size"), badSize.toString());
        }
    }

    /** 4 MiB: text lines (compressible) and random bytes (not), distinct blocks throughout. */
    private static byte[] fileContent() {
        SplittableRandom r = new SplittableRandom(0xa91);
        byte[] b = new byte[4 << 20];
        StringBuilder text = new StringBuilder();
        while (text.length() < b.length) {
            text.append("record ").append(text.length()).append(" status=ok latency_ms=3\n");
        }
        byte[] t = text.toString().getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < b.length; i++) {
            b[i] = (i / 8192) % 4 == 3 ? (byte) r.nextInt(256) : t[i];
        }
        return b;
    }
}
