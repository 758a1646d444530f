package io.tamp.mgmt.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tamp.mgmt.client.TampClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tamp map add|list|remove}: which hosts see a volume, at which LUN. */
@Command(name = "map", description = "Map volumes to hosts through the controller's API.")
public final class MapCommand {
    @Mixin
    ApiOptions api;

    @Spec
    CommandSpec spec;

    @Command(name = "add", description = "Show a volume to a host (LUN n; NVMe namespace n+1).")
    int add(@Parameters(paramLabel = "VOLUME") String volume, @Parameters(paramLabel = "HOST") String host,
            @Option(names = "--lun", paramLabel = "N") Long lun) throws Exception {
        TampClient c = api.connect();
        ObjectNode body = c.json().createObjectNode().put("host_id", Resolve.host(c, host));
        if (lun != null) {
            body.put("lun", lun);
        }
        JsonNode m = c.post("/api/v1/volumes/" + Resolve.volume(c, volume) + "/mappings", body);
        api.print(spec.commandLine().getOut(), c, m, table().row(m.get("id").asLong(), m.get("volume_id").asLong(),
                m.get("host_id").asLong(), m.get("lun").asLong(), m.get("nvme_nsid").asLong()));
        return 0;
    }

    @Command(name = "list", description = "List a volume's mappings.")
    int list(@Parameters(paramLabel = "VOLUME") String volume) throws Exception {
        TampClient c = api.connect();
        JsonNode maps = c.get("/api/v1/volumes/" + Resolve.volume(c, volume) + "/mappings");
        Table t = table();
        for (JsonNode m : maps) {
            t.row(m.get("id").asLong(), m.get("volume_id").asLong(),
                    m.get("host_id").isNull() ? "group " + m.get("host_group_id").asLong() : m.get("host_id").asLong(),
                    m.get("lun").asLong(), m.get("nvme_nsid").asLong());
        }
        api.print(spec.commandLine().getOut(), c, maps, t);
        return 0;
    }

    @Command(name = "remove", description = "Hide a volume from a host again.")
    int remove(@Parameters(paramLabel = "VOLUME") String volume, @Parameters(paramLabel = "HOST") String host)
            throws Exception {
        TampClient c = api.connect();
        long v = Resolve.volume(c, volume);
        long h = Resolve.host(c, host);
        for (JsonNode m : c.get("/api/v1/volumes/" + v + "/mappings")) {
            if (!m.get("host_id").isNull() && m.get("host_id").asLong() == h) {
                c.delete("/api/v1/volumes/" + v + "/mappings/" + m.get("id").asLong());
                spec.commandLine().getOut().println(api.json ? "{}" : "unmapped volume " + v + " from host " + h);
                spec.commandLine().getOut().flush();
                return 0;
            }
        }
        throw new TampClient.ApiError(404, "not_found", "volume " + v + " is not mapped to host " + h);
    }

    private static Table table() {
        return new Table("MAPPING", "VOLUME", "HOST", "LUN", "NSID");
    }
}
