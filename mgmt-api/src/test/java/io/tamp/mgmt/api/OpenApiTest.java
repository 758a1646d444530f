package io.tamp.mgmt.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tamp.mgmt.http.Route;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The served OpenAPI document and the server agree: every documented operation is answered by a
 * real endpoint (never "no such endpoint" or "method not allowed"), every endpoint is documented,
 * and each request schema is the one the server validates with.
 */
class OpenApiTest {
    @TempDir
    Path dir;

    @Test
    void documentAndServerAgree() throws Exception {
        try (ApiHarness h = new ApiHarness(dir)) {
            String t = h.admin();
            ApiHarness.Reply r = h.get("/api/v1/openapi.json", t);
            assertEquals(200, r.status(), r.toString());
            JsonNode doc = r.body();
            assertEquals("3.0.3", doc.get("openapi").asText());
            List<Route> routes = ManagementApi.router(h.controller).routes();
            Set<String> documented = new HashSet<>();
            doc.get("paths").fields().forEachRemaining(p -> p.getValue().fieldNames()
                    .forEachRemaining(m -> documented.add(m.toUpperCase() + " " + p.getKey())));
            Set<String> served = new HashSet<>();
            for (Route route : routes) {
                served.add(route.method() + " " + route.template());
                JsonNode op = doc.get("paths").get(route.template()).get(route.method().toLowerCase());
                if (route.body() != null) {
                    JsonNode props = op.at("/requestBody/content/application~1json/schema/properties");
                    List<String> names = new ArrayList<>();
                    props.fieldNames().forEachRemaining(names::add);
                    assertEquals(route.body().fieldNames(), names, route.template());
                }
            }
            assertEquals(served, documented);

            // probe every documented operation with ids that do not exist: each must reach its handler
            for (String op : documented) {
                String method = op.substring(0, op.indexOf(' '));
                String path = op.substring(op.indexOf(' ') + 1).replaceAll("\\{name}", "nobody")
                        .replaceAll("\\{[a-z_]+}", "424242");
                if (path.equals("/api/v1/logout")) {
                    continue; // would end this session
                }
                JsonNode schema = doc.get("paths").get(op.substring(op.indexOf(' ') + 1)).get(method.toLowerCase())
                        .path("requestBody");
                String body = schema.isMissingNode() ? null : "{}";
                ApiHarness.Reply reply = h.send(method, path, t, body);
                String code = reply.body() == null ? "" : reply.body().path("code").asText();
                assertNotEquals("no_such_endpoint", code, op + " -> " + reply);
                assertNotEquals("method_not_allowed", code, op + " -> " + reply);
                assertTrue(reply.status() < 500, op + " -> " + reply);
            }
        }
    }
}
