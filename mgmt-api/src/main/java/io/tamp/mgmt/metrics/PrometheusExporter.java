package io.tamp.mgmt.metrics;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.SummaryWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.tamp.datapath.frontend.IoMetrics;
import io.tamp.datapath.volume.Engine;
import io.tamp.datapath.volume.SpaceReport;
import io.tamp.datapath.volume.Volume;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.Histogram;

/**
 * Prometheus text exposition of the controller, built with the Prometheus Java client from live
 * callbacks (nothing is sampled in between scrapes): pool capacity and reduction ratios, cleaner
 * progress, and per volume and protocol the I/O counters and latency quantiles (p50, p99, p99.9
 * from HdrHistogram, in seconds, over the last 60 s).
 */
public final class PrometheusExporter {
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;
    static final int LATENCY_WINDOW_SECONDS = 60;
    /** The snapshot-only byte count walks every snapshot's block map: a scrape reuses one this young. */
    static final long SNAPSHOT_PHYSICAL_MAX_AGE_MS = 60_000;

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Engine engine;
    private final IoMetrics io;
    private volatile SpaceReport space;

    public PrometheusExporter(Engine engine, IoMetrics io) {
        this.engine = engine;
        this.io = io;
        pool("logical_provisioned_bytes", "sum of volume sizes", SpaceReport::logicalProvisioned);
        pool("logical_used_bytes", "host-written, non-zero, mapped bytes of volumes", SpaceReport::logicalUsed);
        pool("unique_data_physical_bytes", "bytes on devices of live extents", SpaceReport::uniqueDataPhysical);
        pool("physical_used_bytes", "bytes written into segments not yet freed (live + garbage)",
                SpaceReport::physicalUsed);
        pool("metadata_bytes", "RocksDB files on the controller's disk", SpaceReport::metadataBytes);
        pool("capacity_bytes", "bytes of all segments", SpaceReport::poolCapacity);
        pool("free_bytes", "bytes of free segments", SpaceReport::poolFree);
        pool("pending_unmaps", "unmap ranges the background drain has not released", SpaceReport::pendingUnmaps);
        pool("dedup_ratio", "logical non-zero bytes / unique blocks before compression", SpaceReport::dedupRatio);
        pool("compression_ratio", "unique blocks / their compressed bytes", SpaceReport::compressionRatio);
        pool("data_reduction_ratio", "logical_used / unique_data_physical", SpaceReport::dataReductionRatio);
        GaugeWithCallback.builder().name("tamp_engine_healthy").help("1 while the engine takes I/O, 0 once it failed")
                .callback(cb -> cb.call(engine.failureMessage() == null ? 1 : 0)).register(registry);
        CounterWithCallback.builder().name("tamp_cleaner_segments_freed").help("segments the cleaner freed since start")
                .callback(cb -> cb.call(engine.cleanerSegmentsFreed())).register(registry);
        CounterWithCallback.builder().name("tamp_cleaner_moved_bytes").help("live bytes the cleaner relocated since start")
                .callback(cb -> cb.call(engine.cleanerBytesMoved())).register(registry);
        GaugeWithCallback.builder().name("tamp_volume_logical_used_bytes").help("host-written mapped bytes per volume")
                .labelNames("volume").callback(cb -> {
                    for (Volume v : engine.volumes()) {
                        cb.call(v.mappedBlocks() * Volume.BLOCK, v.name());
                    }
                }).register(registry);
        CounterWithCallback.builder().name("tamp_io_operations").help("host I/O commands per volume, protocol and op")
                .labelNames("volume", "protocol", "op").callback(cb -> eachSeries((s, name, proto) -> {
                    for (IoMetrics.Op op : IoMetrics.Op.values()) {
                        cb.call(s.ops(op), name, proto, lower(op));
                    }
                })).register(registry);
        CounterWithCallback.builder().name("tamp_io_bytes").help("bytes moved by host I/O per volume, protocol and op")
                .labelNames("volume", "protocol", "op").callback(cb -> eachSeries((s, name, proto) -> {
                    for (IoMetrics.Op op : IoMetrics.Op.values()) {
                        cb.call(s.bytes(op), name, proto, lower(op));
                    }
                })).register(registry);
        CounterWithCallback.builder().name("tamp_io_errors").help("host I/O commands that did not succeed")
                .labelNames("volume", "protocol").callback(cb -> eachSeries((s, name, proto) ->
                        cb.call(s.errors(), name, proto))).register(registry);
        SummaryWithCallback.builder().name("tamp_io_latency_seconds")
                .help("execution latency of host I/O inside the controller; quantiles over the last 60 s")
                .labelNames("volume", "protocol", "op").callback(cb -> eachSeries((s, name, proto) -> {
                    for (IoMetrics.Op op : IoMetrics.Op.values()) {
                        Histogram h = s.latency(op);
                        var w = s.window(op, LATENCY_WINDOW_SECONDS).latency();
                        cb.call(h.getTotalCount(), h.getMean() * h.getTotalCount() / 1e9, Quantiles.of(
                                new Quantile(0.5, seconds(w, 50)), new Quantile(0.99, seconds(w, 99)),
                                new Quantile(0.999, seconds(w, 99.9))), name, proto, lower(op));
                    }
                })).register(registry);
    }

    private static double seconds(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1e9;
    }

    private interface SeriesConsumer {
        void accept(IoMetrics.Series s, String volumeName, String protocol);
    }

    private void eachSeries(SeriesConsumer c) {
        for (IoMetrics.Series s : io.series()) {
            Volume v = engine.volume(s.volumeId());
            c.accept(s, v == null ? "#" + s.volumeId() : v.name(), s.protocol().name().toLowerCase(Locale.ROOT));
        }
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private void pool(String name, String help, ToDoubleFunction<SpaceReport> f) {
        GaugeWithCallback.builder().name("tamp_pool_" + name).help(help)
                .callback(cb -> cb.call(f.applyAsDouble(space))).register(registry);
    }

    /** One scrape in the Prometheus text format (0.0.4). */
    public synchronized String scrape() {
        space = engine.space(SNAPSHOT_PHYSICAL_MAX_AGE_MS);
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            writer.write(out, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
