package io.tamp.mgmt.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tamp.datapath.volume.IoStatus;
import io.tamp.datapath.volume.Volume;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Volumes and snapshots through the REST API: the lifecycle a script drives, and every refusal on the way. */
class VolumeApiTest {
    @TempDir
    Path dir;

    static String volumeBody(String name, long size) {
        return "{\"name\":\"" + name + "\",\"size_bytes\":" + size + "}";
    }

    @Test
    void createListGetRenameGrowDescribeAndDelete() throws Exception {
        try (ApiHarness h = new ApiHarness(dir)) {
            String t = h.admin();
            ApiHarness.Reply created = h.send("POST", "/api/v1/volumes", t,
                    "{\"name\":\"db1\",\"size_bytes\":1073741824,\"description\":\"orders\"}");
            assertEquals(201, created.status(), created.toString());
            JsonNode v = created.body();
            long id = v.get("id").asLong();
            assertEquals("db1", v.get("name").asText());
            assertEquals(1L << 30, v.get("size_bytes").asLong());
            assertEquals("orders", v.get("description").asText());
            assertEquals("volume", v.get("type").asText());
            assertTrue(v.get("wwn").asText().matches("naa\\.6da7a3f[0-9a-f]{25}"), v.toString());
            assertTrue(v.get("nguid").asText().matches("[0-9a-f]{32}"), v.toString());
            assertEquals("iqn.2026-11.io.tamp:controller", v.get("iscsi_target_iqn").asText());
            assertEquals("nqn.2026-11.io.tamp:controller", v.get("nvme_subsystem_nqn").asText());
            assertFalse(v.get("mapped").asBoolean());
            assertNotNull(h.engine.volume("db1"), "the engine has the volume");

            for (int i = 0; i < 5; i++) {
                assertEquals(201, h.send("POST", "/api/v1/volumes", t, volumeBody("web" + i, 1 << 20)).status());
            }
            JsonNode page = h.get("/api/v1/volumes?name_contains=WEB&offset=1&limit=2", t).body();
            assertEquals(5, page.get("total").asLong(), page.toString());
            assertEquals(2, page.get("items").size(), page.toString());
            assertEquals("web1", page.get("items").get(0).get("name").asText(), page.toString());
            JsonNode exact = h.get("/api/v1/volumes?name=db1", t).body();
            assertEquals(1, exact.get("total").asLong());
            assertEquals(id, exact.get("items").get(0).get("id").asLong());

            ApiHarness.Reply patched = h.send("PATCH", "/api/v1/volumes/" + id, t,
                    "{\"name\":\"db-main\",\"size_bytes\":2147483648,\"description\":\"\"}");
            assertEquals(200, patched.status(), patched.toString());
            assertEquals("db-main", patched.body().get("name").asText());
            assertEquals(2L << 30, patched.body().get("size_bytes").asLong());
            assertEquals("", patched.body().get("description").asText());
            assertEquals(2L << 30, h.engine.volume("db-main").sizeBytes());
            assertNull(h.engine.volume("db1"));

            ApiHarness.Reply shrink = h.send("PATCH", "/api/v1/volumes/" + id, t, "{\"size_bytes\":1048576}");
            assertEquals(422, shrink.status(), shrink.toString());
            assertEquals("shrink_not_supported", shrink.body().get("code").asText());
            assertEquals(2L << 30, h.engine.volume("db-main").sizeBytes(), "a refused shrink changes nothing");
            ApiHarness.Reply renameTaken = h.send("PATCH", "/api/v1/volumes/" + id, t,
                    "{\"name\":\"web0\",\"size_bytes\":4294967296}");
            assertEquals(409, renameTaken.status(), renameTaken.toString());
            assertEquals(2L << 30, h.engine.volume("db-main").sizeBytes(), "a refused patch applies none of its fields");

            ApiHarness.Reply deleted = h.send("DELETE", "/api/v1/volumes/" + id, t, null);
            assertEquals(202, deleted.status(), deleted.toString());
            assertEquals("volume_delete", deleted.body().get("kind").asText());
            assertNull(h.engine.volume("db-main"));
            assertEquals(404, h.get("/api/v1/volumes/" + id, t).status());
            long job = deleted.body().get("id").asLong();
            h.engine.settle(false);
            assertEquals("completed", h.get("/api/v1/jobs/" + job, t).body().get("state").asText());
        }
    }

    @Test
    void badVolumeRequestsAreProblemsAndChangeNothing() throws Exception {
        try (ApiHarness h = new ApiHarness(dir)) {
            String t = h.admin();
            assertEquals(201, h.send("POST", "/api/v1/volumes", t, volumeBody("a", 1 << 20)).status());
            record Case(String body, int status, String code, String field) {
            }
            Case[] cases = {
                new Case("{\"name\":\"a\",\"size_bytes\":1048576}", 409, "name_in_use", null),
                new Case("{\"name\":\"b\",\"size_bytes\":-512}", 400, "invalid_field", "size_bytes"),
                new Case("{\"name\":\"b\",\"size_bytes\":1000}", 400, "invalid_field", "size_bytes"),
                new Case("{\"name\":\"b\",\"size_bytes\":0}", 400, "invalid_field", "size_bytes"),
                new Case("{\"name\":\"b\",\"size_bytes\":9223372036854775296}", 422, "size_too_large", null),
                new Case("{\"name\":\"b\",\"size_bytes\":99999999999999999999999}", 400, "invalid_field", "size_bytes"),
                new Case("{\"name\":\"b\",\"size_bytes\":\"1G\"}", 400, "invalid_field", "size_bytes"),
                new Case("{\"name\":\"b\",\"size_bytes\":1.5}", 400, "invalid_field", "size_bytes"),
                new Case("{\"name\":7,\"size_bytes\":1048576}", 400, "invalid_field", "name"),
                new Case("{\"name\":\"\",\"size_bytes\":1048576}", 400, "invalid_field", "name"),
                new Case("{\"name\":\"b\"}", 400, "invalid_field", "size_bytes"),
                new Case("{\"name\":\"b\",\"size_bytes\":1048576,\"color\":\"red\"}", 400, "invalid_field", "color"),
                new Case("{\"name\":\"b\",\"size_bytes\":1048576", 400, "invalid_json", null),
                new Case("[1,2]", 400, "invalid_field", null),
                new Case("{\"name\":\"b\",\"size_bytes\":1048576} {}", 400, "invalid_json", null),
                new Case("", 400, "invalid_json", null),
            };
            for (Case c : cases) {
                ApiHarness.Reply r = h.send("POST", "/api/v1/volumes", t, c.body());
                assertEquals(c.status(), r.status(), c.body() + " -> " + r);
                assertEquals("application/problem+json", r.response().headers().firstValue("content-type").orElse(""));
                assertEquals(c.code(), r.body().get("code").asText(), c.body() + " -> " + r);
                assertEquals(c.status(), r.body().get("status").asInt());
                if (c.field() != null) {
                    assertEquals(c.field(), r.body().get("field").asText(), c.body() + " -> " + r);
                }
            }
            assertEquals(1, h.engine.volumes().size(), "no bad request created a volume");
            assertEquals(404, h.get("/api/v1/volumes/999", t).status());
            assertEquals("not_found", h.get("/api/v1/volumes/abc", t).body().get("code").asText());
            assertEquals(404, h.send("DELETE", "/api/v1/volumes/-1", t, null).status());
            assertEquals(400, h.get("/api/v1/volumes?limit=100000", t).status());
            assertEquals(400, h.get("/api/v1/volumes?offset=-1", t).status());
            assertEquals(400, h.send("DELETE", "/api/v1/volumes/1?force=maybe", t, null).status());
        }
    }

    @Test
    void snapshotsAreReadOnlyPointInTimeCopies() throws Exception {
        try (ApiHarness h = new ApiHarness(dir)) {
            String t = h.admin();
            long id = h.send("POST", "/api/v1/volumes", t, volumeBody("src", 1 << 20)).body().get("id").asLong();
            Volume src = h.engine.volume("src");
            byte[] before = new byte[Volume.BLOCK];
            java.util.Arrays.fill(before, (byte) 7);
            assertEquals(IoStatus.OK, src.write(0, before, false));
            ApiHarness.Reply snap = h.send("POST", "/api/v1/volumes/" + id + "/snapshots", t,
                    "{\"name\":\"before-upgrade\",\"description\":\"nightly\"}");
            assertEquals(201, snap.status(), snap.toString());
            assertEquals("snapshot", snap.body().get("type").asText());
            assertEquals(id, snap.body().get("source_volume_id").asLong());
            long sid = snap.body().get("id").asLong();
            assertEquals(409, h.send("POST", "/api/v1/volumes/" + id + "/snapshots", t, "{\"name\":\"before-upgrade\"}")
                    .status());
            byte[] after = new byte[Volume.BLOCK];
            java.util.Arrays.fill(after, (byte) 9);
            assertEquals(IoStatus.OK, src.write(0, after, false));
            Volume s = h.engine.snapshot(sid);
            byte[] back = new byte[Volume.BLOCK];
            assertEquals(IoStatus.OK, s.read(0, back));
            assertEquals(7, back[0], "the snapshot keeps the data of its moment");
            assertEquals(1, h.get("/api/v1/volumes/" + id + "/snapshots", t).body().size());
            assertEquals("before-upgrade", h.get("/api/v1/snapshots/" + sid, t).body().get("name").asText());
            assertEquals(404, h.get("/api/v1/volumes/" + sid, t).status(), "a snapshot is not a volume");
            assertEquals(404, h.get("/api/v1/snapshots/" + id, t).status(), "a volume is not a snapshot");

            ApiHarness.Reply refused = h.send("DELETE", "/api/v1/volumes/" + id, t, null);
            assertEquals(409, refused.status(), refused.toString());
            assertEquals("volume_has_snapshots", refused.body().get("code").asText());
            assertEquals(202, h.send("DELETE", "/api/v1/snapshots/" + sid, t, null).status());
            assertEquals(404, h.get("/api/v1/snapshots/" + sid, t).status());
            assertEquals(0, h.get("/api/v1/volumes/" + id + "/snapshots", t).body().size());
            assertEquals(202, h.send("DELETE", "/api/v1/volumes/" + id, t, null).status());
        }
    }
}
