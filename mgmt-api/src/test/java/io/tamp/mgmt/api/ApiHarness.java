package io.tamp.mgmt.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tamp.datapath.frontend.IoMetrics;
import io.tamp.datapath.frontend.LunMap;
import io.tamp.datapath.volume.Engine;
import io.tamp.datapath.volume.EngineConfig;
import io.tamp.mgmt.auth.Tokens;
import io.tamp.mgmt.auth.Users;
import io.tamp.mgmt.catalog.Catalog;
import io.tamp.mgmt.http.ApiServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The management API in this JVM over a small engine, on 127.0.0.1 and an ephemeral port, plain
 * HTTP; time is an injected clock so token expiry needs no sleep. Requests go through the JDK's
 * HttpClient, as any script's would.
 */
final class ApiHarness implements AutoCloseable {
    static final String ADMIN_PASSWORD = "harness-admin-pw";

    final Engine engine;
    final LunMap lunMap = new LunMap();
    final IoMetrics ioMetrics = new IoMetrics();
    final AtomicLong clock = new AtomicLong(1_800_000_000_000L);
    final ObjectMapper json = Json.mapper();
    final Controller controller;
    final ApiServer server;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    final String base;

    ApiHarness(Path dir) throws IOException {
        this(dir, EngineConfig.small(dir.resolve("pool"), 2, 64L << 20));
    }

    ApiHarness(Path dir, EngineConfig config) throws IOException {
        engine = Engine.open(config);
        try {
            Catalog catalog = new Catalog(engine, lunMap, json);
            Users users = new Users(engine, json);
            users.ensureAdmin(dir, ADMIN_PASSWORD);
            controller = new Controller(engine, catalog, users, new Tokens(3_600_000, clock::get), new Jobs(clock::get),
                    new AuditLog(dir.resolve("audit.log"), json, clock::get), ioMetrics, json, clock::get, clock.get(),
                    new Controller.Frontends("iqn.2026-11.io.tamp:controller", 3260, "nqn.2026-11.io.tamp:controller", 4420));
            server = ApiServer.start(new InetSocketAddress("127.0.0.1", 0), null, ManagementApi.router(controller),
                    controller.tokens(), controller.audit(), json);
        } catch (IOException | RuntimeException e) {
            engine.close();
            throw e;
        }
        base = "http://127.0.0.1:" + server.port();
    }

    record Reply(int status, JsonNode body, String raw, HttpResponse<String> response) {
        @Override
        public String toString() {
            return status + " " + raw;
        }
    }

    String login(String user, String password) throws Exception {
        Reply r = send("POST", "/api/v1/login", null, "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}");
        assertEquals(200, r.status(), r.toString());
        return r.body().get("token").asText();
    }

    String admin() throws Exception {
        return login("admin", ADMIN_PASSWORD);
    }

    Reply send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode node = null;
        String type = r.headers().firstValue("content-type").orElse("");
        if (type.contains("json") && !r.body().isEmpty()) {
            node = json.readTree(r.body());
        }
        return new Reply(r.statusCode(), node, r.body(), r);
    }

    Reply get(String path, String token) throws Exception {
        return send("GET", path, token, null);
    }

    @Override
    public void close() throws IOException {
        server.close();
        engine.close();
    }
}
