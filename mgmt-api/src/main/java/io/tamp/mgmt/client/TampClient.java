package io.tamp.mgmt.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * A small client of the management API for the CLI: logs in (or uses a given token), sends JSON,
 * and turns problem+json answers into {@link ApiError}s carrying status, code and detail.
 */
public final class TampClient {
    private final HttpClient http;
    private final String base;
    private final ObjectMapper json = new ObjectMapper();
    private String token;

    /** An error answer of the API (or a transport failure, status 0). */
    public static final class ApiError extends RuntimeException {
        private final int status;
        private final String code;

        public ApiError(int status, String code, String detail) {
            super(detail, null, false, false);
            this.status = status;
            this.code = code;
        }

        public int status() {
            return status;
        }

        public String code() {
            return code;
        }
    }

    /**
     * @param url      e.g. https://127.0.0.1:8443
     * @param caCert   a PEM certificate to trust (the controller's self-signed DATA/tls/server.crt), or null
     *                 for the JDK's trust store
     * @param insecure trust any certificate (testing only)
     */
    public TampClient(String url, Path caCert, boolean insecure) throws IOException {
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        try {
            if (insecure) {
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(null, new TrustManager[] {new TrustAll()}, null);
                b.sslContext(ctx);
            } else if (caCert != null) {
                b.sslContext(pinned(caCert));
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS: " + e.getMessage(), e);
        }
        this.http = b.build();
    }

    private static SSLContext pinned(Path pem) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("ca" + i++, c);
            }
            if (i == 0) {
                throw new IOException("no certificate in " + pem);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    public void useToken(String t) {
        this.token = t;
    }

    /** Logs in; returns the token (also used for the requests that follow). */
    public String login(String user, String password) throws IOException, InterruptedException {
        var body = json.createObjectNode().put("username", user).put("password", password);
        JsonNode r = send("POST", "/api/v1/login", body);
        token = r.get("token").asText();
        return token;
    }

    public JsonNode get(String path) throws IOException, InterruptedException {
        return send("GET", path, null);
    }

    public JsonNode post(String path, JsonNode body) throws IOException, InterruptedException {
        return send("POST", path, body);
    }

    public JsonNode patch(String path, JsonNode body) throws IOException, InterruptedException {
        return send("PATCH", path, body);
    }

    public JsonNode delete(String path) throws IOException, InterruptedException {
        return send("DELETE", path, null);
    }

    /** The raw text of a GET (for /metrics). */
    public String getText(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = exchange("GET", path, null);
        check(r);
        return r.body();
    }

    public ObjectMapper json() {
        return json;
    }

    public static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private JsonNode send(String method, String path, JsonNode body) throws IOException, InterruptedException {
        HttpResponse<String> r = exchange(method, path, body == null ? null : json.writeValueAsString(body));
        check(r);
        return r.body().isEmpty() ? json.nullNode() : json.readTree(r.body());
    }

    private HttpResponse<String> exchange(String method, String path, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new ApiError(0, "unreachable", "cannot reach " + base + ": " + e.getMessage());
        }
    }

    private void check(HttpResponse<String> r) {
        if (r.statusCode() < 400) {
            return;
        }
        String code = "http_" + r.statusCode();
        String detail = r.body();
        try {
            JsonNode p = json.readTree(r.body());
            code = p.path("code").asText(code);
            detail = p.path("detail").asText(detail);
        } catch (IOException notJson) {
            // keep the raw body
        }
        throw new ApiError(r.statusCode(), code, detail);
    }
}
