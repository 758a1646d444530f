package io.tamp.mgmt.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tamp.mgmt.http.Route;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random requests at every endpoint — odd ids, odd query values, bodies with random fields
 * of random types — must each get an answer below 500 (a user mistake is never a server error),
 * and the controller must keep serving. Replay a failure with -Dapi.seed=N.
 */
class RandomInputTest {
    private static final String[] FIELDS = {"name", "size_bytes", "description", "host_id", "host_group_id", "lun",
        "initiators", "host_ids", "username", "password", "role", "protocol", "port_name", "x"};
    private static final String[] IDS = {"0", "1", "2", "-1", "999999999999", "99999999999999999999999", "abc", "%00",
        "%2e%2e", "1.5", "%E2%98%83", "1e3", ""};

    @TempDir
    Path dir;

    @Test
    void noRandomRequestIsAServerError() throws Exception {
        long seed = Long.getLong("api.seed", 0x7a3b);
        SplittableRandom r = new SplittableRandom(seed);
        try (ApiHarness h = new ApiHarness(dir)) {
            String t = h.admin();
            h.send("POST", "/api/v1/volumes", t, VolumeApiTest.volumeBody("v", 1 << 20));
            h.send("POST", "/api/v1/hosts", t, HostMappingApiTest.host("h", "iqn.2000-01.com.example:h"));
            List<Route> routes = ManagementApi.router(h.controller).routes();
            for (int i = 0; i < 600; i++) {
                Route route = routes.get(r.nextInt(routes.size()));
                if (route.template().endsWith("/logout")) {
                    continue;
                }
                String path = route.template().replaceAll("\\{[a-z_]+}", IDS[r.nextInt(IDS.length)]);
                if (r.nextBoolean() && !route.queryParams().isEmpty()) {
                    path += "?" + route.queryParams().get(r.nextInt(route.queryParams().size())) + "="
                            + URLEncoder.encode(randomScalar(r), StandardCharsets.UTF_8);
                }
                String body = route.body() == null && r.nextInt(4) > 0 ? null : randomBody(r);
                ApiHarness.Reply reply = h.send(route.method(), path, t, body);
                assertTrue(reply.status() < 500, "seed " + seed + " request " + i + ": " + route.method() + " " + path
                        + " " + body + " -> " + reply);
                if (reply.status() >= 400) {
                    assertEquals("application/problem+json",
                            reply.response().headers().firstValue("content-type").orElse(""), reply.toString());
                }
            }
            assertEquals(200, h.get("/api/v1/health", null).status());
            assertEquals(200, h.get("/api/v1/volumes", t).status());
        }
    }

    private static String randomBody(SplittableRandom r) {
        if (r.nextInt(10) == 0) {
            return new String[] {"", "{", "[]", "null", "\"x\"", "{\"a\":}", "{}{}"}[r.nextInt(7)];
        }
        StringBuilder b = new StringBuilder("{");
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
            b.append(i > 0 ? "," : "").append('"').append(FIELDS[r.nextInt(FIELDS.length)]).append("\":")
                    .append(randomValue(r, 0));
        }
        return b.append('}').toString();
    }

    private static String randomValue(SplittableRandom r, int depth) {
        switch (r.nextInt(depth > 1 ? 5 : 7)) {
            case 0: return Long.toString(r.nextLong());
            case 1: return Integer.toString(r.nextInt(-2, 20000) * 512);
            case 2: return '"' + randomScalar(r).replace("\\", "\\\\").replace("\"", "\\\"") + '"';
            case 3: return r.nextBoolean() ? "true" : "null";
            case 4: return "1.5e300";
            case 5: return "[" + randomValue(r, depth + 1) + "," + randomValue(r, depth + 1) + "]";
            default: return "{\"protocol\":" + randomValue(r, depth + 1) + ",\"port_name\":" + randomValue(r, depth + 1) + "}";
        }
    }

    private static String randomScalar(SplittableRandom r) {
        String[] s = {"", "a", "iqn.2000-01.com.example:x", "nqn.2014-08.org.nvmexpress:uuid:1", "admin", "read_only",
            "-1", "18446744073709551616", "true", "\u2603", " ", "x".repeat(300), "\u0000", "../../etc"};
        return s[r.nextInt(s.length)];
    }
}
