package io.tamp.mgmt.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the HTTP edge does with requests no client should send: a 4xx problem each, and the server keeps serving. */
class HttpEdgeTest {
    @TempDir
    Path dir;

    @Test
    void pathTricksUnknownEndpointsAndWrongMethods() throws Exception {
        try (ApiHarness h = new ApiHarness(dir)) {
            String t = h.admin();
            String[] paths = {"/api/v1/volumes/../users", "/api/v1/volumes/%2e%2e/users", "/api/v1/volumes/1%2F..%2Fusers",
                "/api/v1//volumes", "/api/v2/volumes", "/api/v1/volumes/1/space/extra", "/etc/passwd", "/"};
            for (String p : paths) {
                ApiHarness.Reply r = h.get(p, t);
                assertEquals(404, r.status(), p + " -> " + r);
            }
            ApiHarness.Reply wrongMethod = h.send("PUT", "/api/v1/volumes", t, "{}");
            assertEquals(405, wrongMethod.status(), wrongMethod.toString());
            assertEquals("method_not_allowed", wrongMethod.body().get("code").asText());
            ApiHarness.Reply bodyOnGet = h.send("DELETE", "/api/v1/users/nobody", t, "{\"x\":1}");
            assertEquals(400, bodyOnGet.status(), bodyOnGet.toString());
            int notJson = h.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(h.base + "/api/v1/volumes"))
                    .header("Authorization", "Bearer " + t).header("Content-Type", "text/plain")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode();
            assertEquals(415, notJson, "a body that is not application/json");
            assertEquals(200, h.get("/api/v1/health", null).status());
        }
    }

    @Test
    void oversizedBodiesAndGarbageOnTheWire() throws Exception {
        try (ApiHarness h = new ApiHarness(dir)) {
            String t = h.admin();
            String big = "{\"name\":\"" + "a".repeat(2 << 20) + "\",\"size_bytes\":1048576}";
            ApiHarness.Reply r = h.send("POST", "/api/v1/volumes", t, big);
            assertEquals(413, r.status(), r.status() + "");
            assertEquals("body_too_large", r.body().get("code").asText());
            assertEquals(0, h.engine.volumes().size());

            try (Socket s = new Socket("127.0.0.1", h.server.port())) {
                OutputStream out = s.getOutputStream();
                out.write("THIS IS NOT HTTP\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String answer = new String(readSome(s.getInputStream()), StandardCharsets.US_ASCII);
                assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
            }
            try (Socket s = new Socket("127.0.0.1", h.server.port())) {
                OutputStream out = s.getOutputStream();
                out.write(("GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Long: " + "b".repeat(100_000) + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String answer = new String(readSome(s.getInputStream()), StandardCharsets.US_ASCII);
                assertTrue(answer.startsWith("HTTP/1.1 4"), answer);
            } catch (java.net.SocketException closedWhileWriting) {
                // the server may close before reading everything; that is a refusal too
            }
            assertEquals(200, h.get("/api/v1/health", null).status(), "the server keeps serving");
            assertEquals(201, h.send("POST", "/api/v1/volumes", t, VolumeApiTest.volumeBody("ok", 1 << 20)).status());
        }
    }

    private static byte[] readSome(InputStream in) throws java.io.IOException {
        byte[] b = new byte[4096];
        int n = 0;
        for (int r; n < 12 && (r = in.read(b, n, b.length - n)) > 0; ) {
            n += r;
        }
        return java.util.Arrays.copyOf(b, n);
    }
}
