package io.tamp.mgmt.api;

import io.tamp.datapath.frontend.IoMetrics;
import io.tamp.datapath.volume.Volume;
import io.tamp.mgmt.http.ApiResponse;
import io.tamp.mgmt.http.Router;
import io.tamp.mgmt.metrics.PrometheusExporter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/** Performance over a time window as JSON ({@code /api/v1/metrics}) and for Prometheus ({@code /metrics}). */
final class MetricsRoutes {
    static final int MAX_WINDOW_SECONDS = 300;

    private final Controller c;
    private final PrometheusExporter prometheus;

    MetricsRoutes(Controller c) {
        this.c = c;
        this.prometheus = new PrometheusExporter(c.engine(), c.ioMetrics());
    }

    record Latency(Double p50Us, Double p99Us, Double p999Us, Double maxUs) {
    }

    /**
     * One op's figures over the window (whole seconds: the current second is not in it yet) and,
     * as totals, since the controller started.
     */
    record OpStats(long operations, double iops, long bytes, double bytesPerSecond, long errors, Latency latency,
                   long totalOperations, long totalBytes, long totalErrors) {
    }

    record SeriesView(long volumeId, String volumeName, String protocol, long windowSeconds, OpStats read,
                      OpStats write, OpStats other) {
    }

    void register(Router r) {
        r.get("/api/v1/metrics", "IOPS, bandwidth and latency percentiles per volume and protocol over the last "
                + "window_seconds (1..300, default 60)").tag("metrics").query("window_seconds", "volume_id")
                .handle(q -> {
                    long window = Math.max(1, q.longParam("window_seconds", 60, MAX_WINDOW_SECONDS));
                    String only = q.queryParam("volume_id");
                    List<SeriesView> out = new ArrayList<>();
                    for (IoMetrics.Series s : c.ioMetrics().series()) {
                        if (only != null && !only.equals(Long.toString(s.volumeId()))) {
                            continue;
                        }
                        Volume v = c.engine().volume(s.volumeId());
                        out.add(new SeriesView(s.volumeId(), v == null ? null : v.name(),
                                s.protocol().name().toLowerCase(Locale.ROOT), window, op(s, IoMetrics.Op.READ, window),
                                op(s, IoMetrics.Op.WRITE, window), op(s, IoMetrics.Op.OTHER, window)));
                    }
                    return ApiResponse.ok(out);
                });
        r.get("/metrics", "Prometheus text exposition: capacity, reduction ratios, per-volume I/O and latency")
                .tag("metrics").handle(q -> ApiResponse.text(prometheus.scrape(), PrometheusExporter.CONTENT_TYPE));
    }

    private static OpStats op(IoMetrics.Series s, IoMetrics.Op op, long window) {
        IoMetrics.Window w = s.window(op, window);
        Histogram h = w.latency();
        Latency l = h.getTotalCount() == 0 ? new Latency(null, null, null, null)
                : new Latency(us(h, 50), us(h, 99), us(h, 99.9), h.getMaxValue() / 1000.0);
        return new OpStats(w.ops(), w.opsPerSecond(), w.bytes(), w.bytesPerSecond(), w.errors(), l, s.ops(op), s.bytes(op),
                s.errors(op));
    }

    private static double us(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1000.0;
    }
}
