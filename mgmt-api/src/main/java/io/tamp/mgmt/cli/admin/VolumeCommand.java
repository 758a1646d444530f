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

/** {@code tamp volume list|create|show|resize|rename|delete}. */
@Command(name = "volume", description = "Manage volumes through the controller's API.")
public final class VolumeCommand {
    @Mixin
    ApiOptions api;

    @Spec
    CommandSpec spec;

    @Command(name = "list", description = "List volumes.")
    int list(@Option(names = "--name-contains", paramLabel = "TEXT") String contains) throws Exception {
        TampClient c = api.connect();
        JsonNode page = c.get("/api/v1/volumes?limit=1000" + (contains == null ? "" : "&name_contains="
                + TampClient.encode(contains)));
        Table t = new Table("ID", "NAME", "SIZE", "USED", "MAPPED", "WWN");
        for (JsonNode v : page.get("items")) {
            t.row(v.get("id").asLong(), v.get("name").asText(), Table.bytes(v.get("size_bytes").asLong()),
                    Table.bytes(v.get("logical_used").asLong()), v.get("mapped").asBoolean() ? "yes" : "no",
                    v.get("wwn").asText());
        }
        api.print(spec.commandLine().getOut(), c, page, t);
        return 0;
    }

    @Command(name = "create", description = "Create a thin volume.")
    int create(@Parameters(paramLabel = "NAME") String name,
               @Parameters(paramLabel = "SIZE", description = "bytes, or with a K, M, G or T suffix") String size,
               @Option(names = "--description") String description) throws Exception {
        TampClient c = api.connect();
        ObjectNode body = c.json().createObjectNode().put("name", name).put("size_bytes", Sizes.parse(size));
        if (description != null) {
            body.put("description", description);
        }
        show(c, c.post("/api/v1/volumes", body));
        return 0;
    }

    @Command(name = "show", description = "Show one volume.")
    int show(@Parameters(paramLabel = "VOLUME", description = "id or name") String volume) throws Exception {
        TampClient c = api.connect();
        show(c, c.get("/api/v1/volumes/" + Resolve.volume(c, volume)));
        return 0;
    }

    @Command(name = "resize", description = "Grow a volume.")
    int resize(@Parameters(paramLabel = "VOLUME") String volume, @Parameters(paramLabel = "SIZE") String size)
            throws Exception {
        TampClient c = api.connect();
        show(c, c.patch("/api/v1/volumes/" + Resolve.volume(c, volume),
                c.json().createObjectNode().put("size_bytes", Sizes.parse(size))));
        return 0;
    }

    @Command(name = "rename", description = "Rename a volume.")
    int rename(@Parameters(paramLabel = "VOLUME") String volume, @Parameters(paramLabel = "NEW_NAME") String name)
            throws Exception {
        TampClient c = api.connect();
        show(c, c.patch("/api/v1/volumes/" + Resolve.volume(c, volume), c.json().createObjectNode().put("name", name)));
        return 0;
    }

    @Command(name = "delete", description = "Delete a volume (its space is freed in the background).")
    int delete(@Parameters(paramLabel = "VOLUME") String volume,
               @Option(names = "--force", description = "also when mapped or with snapshots") boolean force)
            throws Exception {
        TampClient c = api.connect();
        JsonNode job = c.delete("/api/v1/volumes/" + Resolve.volume(c, volume) + (force ? "?force=true" : ""));
        api.print(spec.commandLine().getOut(), c, job, new Table("JOB", "STATE", "DESCRIPTION")
                .row(job.get("id").asLong(), job.get("state").asText(), job.get("description").asText()));
        return 0;
    }

    private void show(TampClient c, JsonNode v) throws Exception {
        Table t = new Table("FIELD", "VALUE");
        v.fields().forEachRemaining(f -> t.row(f.getKey(), f.getValue().isTextual() ? f.getValue().asText()
                : f.getValue().toString()));
        api.print(spec.commandLine().getOut(), c, v, t);
    }
}
