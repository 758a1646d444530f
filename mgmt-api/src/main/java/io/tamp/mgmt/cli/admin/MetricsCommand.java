package io.tamp.mgmt.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.tamp.mgmt.client.TampClient;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tamp metrics}: IOPS, bandwidth and latency percentiles per volume and protocol. */
@Command(name = "metrics", description = "Show I/O rates and latency percentiles per volume and protocol.")
public final class MetricsCommand implements java.util.concurrent.Callable<Integer> {
    @Mixin
    ApiOptions api;

    @Spec
    CommandSpec spec;

    @Option(names = "--window", paramLabel = "SECONDS", defaultValue = "60",
            description = "the time window, 1..300 seconds (default ${DEFAULT-VALUE})")
    int window;

    @Override
    public Integer call() throws Exception {
        TampClient c = api.connect();
        JsonNode all = c.get("/api/v1/metrics?window_seconds=" + window);
        Table t = new Table("VOLUME", "PROTO", "OP", "IOPS", "MB/S", "P50_US", "P99_US", "P99.9_US", "ERRORS");
        for (JsonNode s : all) {
            for (String op : new String[] {"read", "write", "other"}) {
                JsonNode o = s.get(op);
                if (o.get("operations").asLong() == 0) {
                    continue;
                }
                JsonNode l = o.get("latency");
                t.row(s.get("volume_name").asText(), s.get("protocol").asText(), op, fmt(o.get("iops").asDouble()),
                        fmt(o.get("bytes_per_second").asDouble() / 1e6), fmt(l.get("p50_us").asDouble()),
                        fmt(l.get("p99_us").asDouble()), fmt(l.get("p999_us").asDouble()), o.get("errors").asLong());
            }
        }
        api.print(spec.commandLine().getOut(), c, all, t);
        return 0;
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%.1f", d);
    }
}
