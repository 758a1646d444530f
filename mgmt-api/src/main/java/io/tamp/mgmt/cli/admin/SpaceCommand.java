package io.tamp.mgmt.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.tamp.mgmt.client.TampClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tamp space [VOLUME]}: capacity and data reduction of the pool or of one volume. */
@Command(name = "space", description = "Show capacity and data-reduction ratios (the pool's, or one volume's).")
public final class SpaceCommand implements java.util.concurrent.Callable<Integer> {
    @Mixin
    ApiOptions api;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "VOLUME", arity = "0..1", description = "a volume id or name")
    String volume;

    @Override
    public Integer call() throws Exception {
        TampClient c = api.connect();
        JsonNode s = volume == null ? c.get("/api/v1/space")
                : c.get("/api/v1/volumes/" + Resolve.volume(c, volume) + "/space");
        Table t = new Table("METRIC", "VALUE");
        s.fields().forEachRemaining(f -> {
            JsonNode v = f.getValue();
            String shown = f.getKey().endsWith("_ratio") || f.getKey().endsWith("_savings") ? Table.ratio(v.asDouble())
                    : v.isIntegralNumber() && !f.getKey().contains("blocks") && !f.getKey().contains("pending")
                    ? Table.bytes(v.asLong()) + " (" + v.asLong() + ")" : v.asText();
            t.row(f.getKey(), shown);
        });
        api.print(spec.commandLine().getOut(), c, s, t);
        return 0;
    }
}
