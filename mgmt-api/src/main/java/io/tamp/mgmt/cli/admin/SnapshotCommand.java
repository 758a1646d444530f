package io.tamp.mgmt.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.tamp.mgmt.client.TampClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tamp snapshot create|list|delete}. */
@Command(name = "snapshot", description = "Take, list and delete volume snapshots through the controller's API.")
public final class SnapshotCommand {
    @Mixin
    ApiOptions api;

    @Spec
    CommandSpec spec;

    @Command(name = "create", description = "Snapshot a volume.")
    int create(@Parameters(paramLabel = "VOLUME") String volume, @Parameters(paramLabel = "NAME") String name)
            throws Exception {
        TampClient c = api.connect();
        JsonNode s = c.post("/api/v1/volumes/" + Resolve.volume(c, volume) + "/snapshots",
                c.json().createObjectNode().put("name", name));
        api.print(spec.commandLine().getOut(), c, s, table().row(s.get("id").asLong(), s.get("name").asText(),
                s.get("source_volume_id").asLong(), s.get("created").asText(), Table.bytes(s.get("logical_used").asLong())));
        return 0;
    }

    @Command(name = "list", description = "List a volume's snapshots.")
    int list(@Parameters(paramLabel = "VOLUME") String volume) throws Exception {
        TampClient c = api.connect();
        JsonNode all = c.get("/api/v1/volumes/" + Resolve.volume(c, volume) + "/snapshots");
        Table t = table();
        for (JsonNode s : all) {
            t.row(s.get("id").asLong(), s.get("name").asText(), s.get("source_volume_id").asLong(),
                    s.get("created").asText(), Table.bytes(s.get("logical_used").asLong()));
        }
        api.print(spec.commandLine().getOut(), c, all, t);
        return 0;
    }

    @Command(name = "delete", description = "Delete a snapshot by id.")
    int delete(@Parameters(paramLabel = "SNAPSHOT_ID") long id) throws Exception {
        TampClient c = api.connect();
        JsonNode job = c.delete("/api/v1/snapshots/" + id);
        api.print(spec.commandLine().getOut(), c, job, new Table("JOB", "STATE").row(job.get("id").asLong(),
                job.get("state").asText()));
        return 0;
    }

    private static Table table() {
        return new Table("ID", "NAME", "VOLUME", "CREATED", "USED");
    }
}
