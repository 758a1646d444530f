package io.tamp.perf.api;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latency of the management API's list and get calls, open loop: requests are scheduled at a fixed
 * rate and each is timed from its scheduled start (so a stall counts against every request it
 * delays, no coordinated omission). Alternates {@code GET /api/v1/volumes} and
 * {@code GET /api/v1/volumes/{id}}. Logs in as TAMP_USER (admin) with TAMP_PASSWORD.
 *
 * <pre>
 * java -cp perf/target/benchmarks.jar io.tamp.perf.api.ApiLatency --url http://127.0.0.1:PORT
 *     [--seconds 20] [--warmup 3] [--rate 50] [--threads 4] [--label NAME]
 * </pre>
 *
 * Prints one human line and one {@code RESULT {...}} line: requests, errors, p50/p99/p99.9/max in
 * milliseconds (HdrHistogram). Exit 0, or 1 when any request failed.
 */
public final class ApiLatency {
    private ApiLatency() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>(Map.of("seconds", "20", "warmup", "3", "rate", "50", "threads", "4",
                "label", "api"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String url = o.get("url");
        if (url == null) {
            System.err.println("usage: ApiLatency --url http://127.0.0.1:PORT [--seconds 20] [--warmup 3] [--rate 50]"
                    + " [--threads 4] [--label NAME]   (env TAMP_PASSWORD, TAMP_USER)");
            System.exit(2);
        }
        int seconds = Integer.parseInt(o.get("seconds"));
        int warmup = Integer.parseInt(o.get("warmup"));
        double rate = Double.parseDouble(o.get("rate"));
        int threads = Integer.parseInt(o.get("threads"));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        String user = System.getenv().getOrDefault("TAMP_USER", "admin");
        String login = send(http, HttpRequest.newBuilder(URI.create(url + "/api/v1/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + user + "\",\"password\":\""
                        + System.getenv("TAMP_PASSWORD") + "\"}")).build());
        String token = field(login, "token");
        String list = send(http, get(url + "/api/v1/volumes?limit=100", token));
        String id = field(list, "id");
        String[] paths = {"/api/v1/volumes?limit=100", "/api/v1/volumes/" + id};

        Recorder recorder = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
        AtomicLong next = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long periodNs = (long) (1e9 / rate);
        long start = System.nanoTime();
        long measureFrom = start + TimeUnit.SECONDS.toNanos(warmup);
        long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            workers[t] = new Thread(() -> {
                while (true) {
                    long i = next.getAndIncrement();
                    long due = start + i * periodNs;
                    if (due >= end) {
                        return;
                    }
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    }
                    boolean ok;
                    try {
                        HttpResponse<Void> r = http.send(get(url + paths[(int) (i & 1)], token),
                                HttpResponse.BodyHandlers.discarding());
                        ok = r.statusCode() == 200;
                    } catch (IOException | InterruptedException e) {
                        ok = false;
                    }
                    long done = System.nanoTime();
                    if (due >= measureFrom) {
                        recorder.recordValue(Math.min(done - due, TimeUnit.SECONDS.toNanos(60)));
                        if (!ok) {
                            errors.incrementAndGet();
                        }
                    }
                }
            }, "api-latency-" + t);
            workers[t].start();
        }
        for (Thread w : workers) {
            w.join();
        }
        Histogram h = recorder.getIntervalHistogram();
        String label = o.get("label");
        System.out.printf(Locale.ROOT, "%s: %d requests at %.0f/s, %d errors, p50 %.2f ms p99 %.2f ms p99.9 %.2f ms"
                        + " max %.2f ms%n", label, h.getTotalCount(), rate, errors.get(), ms(h, 50), ms(h, 99),
                ms(h, 99.9), h.getMaxValue() / 1e6);
        System.out.printf(Locale.ROOT, "RESULT {\"label\":\"%s\",\"requests\":%d,\"errors\":%d,\"p50_ms\":%.3f,"
                        + "\"p99_ms\":%.3f,\"p999_ms\":%.3f,\"max_ms\":%.3f}%n", label, h.getTotalCount(), errors.get(),
                ms(h, 50), ms(h, 99), ms(h, 99.9), h.getMaxValue() / 1e6);
        System.exit(errors.get() == 0 ? 0 : 1);
    }

    private static double ms(Histogram h, double p) {
        return h.getValueAtPercentile(p) / 1e6;
    }

    private static HttpRequest get(String url, String token) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(30)).GET().build();
    }

    private static String send(HttpClient http, HttpRequest r) throws IOException, InterruptedException {
        HttpResponse<String> resp = http.send(r, HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() != 200) {
            throw new IOException(r.uri() + " -> " + resp.statusCode() + " " + resp.body());
        }
        return resp.body();
    }

    /** The first value of a top-level-looking JSON field (a string or a number), enough for login and list. */
    private static String field(String json, String name) throws IOException {
        Matcher m = Pattern.compile("\"" + name + "\":\"?([^\",}]+)").matcher(json);
        if (!m.find()) {
            throw new IOException("no " + name + " in " + json);
        }
        return m.group(1);
    }
}
