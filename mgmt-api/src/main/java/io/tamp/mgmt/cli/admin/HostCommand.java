package io.tamp.mgmt.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tamp.mgmt.client.TampClient;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tamp host list|create|delete}. */
@Command(name = "host", description = "Manage hosts (initiators) through the controller's API.")
public final class HostCommand {
    @Mixin
    ApiOptions api;

    @Spec
    CommandSpec spec;

    @Command(name = "list", description = "List hosts and their initiators.")
    int list() throws Exception {
        TampClient c = api.connect();
        JsonNode hosts = c.get("/api/v1/hosts");
        Table t = new Table("ID", "NAME", "INITIATORS", "GROUP", "VOLUMES");
        for (JsonNode h : hosts) {
            List<String> ports = new ArrayList<>();
            h.get("initiators").forEach(i -> ports.add(i.get("protocol").asText() + ":" + i.get("port_name").asText()));
            t.row(h.get("id").asLong(), h.get("name").asText(), String.join(",", ports),
                    h.get("host_group_id").isNull() ? null : h.get("host_group_id").asLong(), h.get("mapped_volume_ids"));
        }
        api.print(spec.commandLine().getOut(), c, hosts, t);
        return 0;
    }

    @Command(name = "create", description = "Create a host with its initiators.")
    int create(@Parameters(paramLabel = "NAME") String name,
               @Option(names = "--iscsi", paramLabel = "IQN", description = "an iSCSI initiator name; repeatable")
               List<String> iqns,
               @Option(names = "--nvme", paramLabel = "NQN", description = "an NVMe host NQN; repeatable")
               List<String> nqns,
               @Option(names = "--chap-username", paramLabel = "USER",
                       description = "CHAP user name the host's iSCSI initiators must log in with") String chapUser,
               @Option(names = "--chap-secret-file", paramLabel = "FILE",
                       description = "file holding the CHAP secret (12..255 bytes; kept off the command line)")
               java.nio.file.Path chapSecretFile) throws Exception {
        if ((chapUser == null) != (chapSecretFile == null)) {
            throw new IllegalArgumentException("--chap-username and --chap-secret-file go together");
        }
        TampClient c = api.connect();
        ObjectNode body = c.json().createObjectNode().put("name", name);
        if (chapUser != null) {
            body.put("chap_username", chapUser).put("chap_secret", java.nio.file.Files.readString(chapSecretFile).strip());
        }
        ArrayNode initiators = body.putArray("initiators");
        if (iqns != null) {
            iqns.forEach(q -> initiators.addObject().put("protocol", "iscsi").put("port_name", q));
        }
        if (nqns != null) {
            nqns.forEach(q -> initiators.addObject().put("protocol", "nvme").put("port_name", q));
        }
        JsonNode h = c.post("/api/v1/hosts", body);
        api.print(spec.commandLine().getOut(), c, h, new Table("ID", "NAME").row(h.get("id").asLong(), h.get("name").asText()));
        return 0;
    }

    @Command(name = "delete", description = "Delete a host.")
    int delete(@Parameters(paramLabel = "HOST", description = "id or name") String host,
               @Option(names = "--force", description = "also when volumes are mapped to it") boolean force)
            throws Exception {
        TampClient c = api.connect();
        long id = Resolve.host(c, host);
        c.delete("/api/v1/hosts/" + id + (force ? "?force=true" : ""));
        spec.commandLine().getOut().println(api.json ? "{}" : "deleted host " + id);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
