package io.tamp.mgmt.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.tamp.mgmt.catalog.Catalog;
import io.tamp.mgmt.catalog.Host;
import io.tamp.mgmt.http.ApiException;
import io.tamp.mgmt.catalog.Initiator;
import io.tamp.mgmt.http.ApiRequest;
import io.tamp.mgmt.http.ApiResponse;
import io.tamp.mgmt.http.Router;
import io.tamp.mgmt.http.Schema;
import io.tamp.mgmt.http.Schema.Type;
import java.util.ArrayList;
import java.util.List;

/** {@code /api/v1/hosts} and {@code /api/v1/host_groups}. */
final class HostRoutes {
    static final String H = "/api/v1/hosts";
    static final String G = "/api/v1/host_groups";

    private final Catalog catalog;

    HostRoutes(Catalog catalog) {
        this.catalog = catalog;
    }

    private static Schema initiator() {
        return Schema.object()
                .required("protocol", Type.STRING, "\"iscsi\" or \"nvme\"")
                .required("port_name", Type.STRING,
                        "the initiator's iSCSI name (iqn./eui./naa., any case, stored lower-case) or NVMe host NQN");
    }

    void register(Router r) {
        r.get(H, "List hosts").tag("hosts").handle(q ->
                ApiResponse.ok(catalog.hosts().stream().sorted(Catalog.BY_NAME).map(h -> Views.host(catalog, h)).toList()));
        r.post(H, "Create a host with its initiators").tag("hosts").status(201).body(Schema.object()
                .required("name", Type.STRING, "unique name")
                .optional("description", Type.STRING, "free text")
                .requiredArray("initiators", initiator(), "the host's iSCSI and NVMe ports")
                .optional("host_group_id", Type.INTEGER, "the host group to join")
                .optional("chap_username", Type.STRING, "CHAP user name its iSCSI initiators must log in with")
                .optional("chap_secret", Type.STRING, "CHAP secret, 12..255 bytes (never returned)")).handle(q -> {
                    JsonNode b = q.body();
                    return ApiResponse.created(Views.host(catalog, catalog.createHost(b.get("name").asText(),
                            text(b, "description"), Views.initiators(b.get("initiators")), optLong(b, "host_group_id"),
                            chap(b, false))));
                });
        r.get(H + "/{id}", "Get a host").tag("hosts").handle(q ->
                ApiResponse.ok(Views.host(catalog, catalog.host(q.id("id", "host")))));
        r.patch(H + "/{id}", "Rename a host, replace its initiators, or move it between host groups (-1 leaves its group)")
                .tag("hosts").body(Schema.object()
                        .optional("name", Type.STRING, "new unique name")
                        .optional("description", Type.STRING, "new description")
                        .optionalArray("initiators", initiator(), "the full new list of initiators")
                        .optional("host_group_id", Type.INTEGER, "host group to join; -1 to leave its group")
                        .optional("chap_username", Type.STRING, "new CHAP user name; \"\" removes the host's CHAP")
                        .optional("chap_secret", Type.STRING, "new CHAP secret, 12..255 bytes (never returned)"))
                .handle(q -> {
                    JsonNode b = q.body();
                    List<Initiator> initiators = b.hasNonNull("initiators") ? Views.initiators(b.get("initiators")) : null;
                    return ApiResponse.ok(Views.host(catalog, catalog.updateHost(q.id("id", "host"), text(b, "name"),
                            text(b, "description"), initiators, optLong(b, "host_group_id"), chap(b, true))));
                });
        r.delete(H + "/{id}", "Delete a host (refused while volumes are mapped to it, unless force=true)")
                .tag("hosts").query("force").handle(q -> {
                    catalog.deleteHost(q.id("id", "host"), q.flag("force"));
                    return ApiResponse.noContent();
                });

        r.get(G, "List host groups").tag("host_groups").handle(q ->
                ApiResponse.ok(catalog.groups().stream().map(g -> Views.group(catalog, g)).toList()));
        r.post(G, "Create a host group").tag("host_groups").status(201).body(Schema.object()
                .required("name", Type.STRING, "unique name")
                .optional("description", Type.STRING, "free text")
                .optional("host_ids", Type.INTEGER_ARRAY, "hosts (not yet in a group) that join the group"))
                .handle(q -> {
                    JsonNode b = q.body();
                    List<Long> members = new ArrayList<>();
                    if (b.hasNonNull("host_ids")) {
                        b.get("host_ids").forEach(m -> members.add(m.asLong()));
                    }
                    return ApiResponse.created(Views.group(catalog, catalog.createGroup(b.get("name").asText(),
                            text(b, "description"), members)));
                });
        r.get(G + "/{id}", "Get a host group").tag("host_groups").handle(q ->
                ApiResponse.ok(Views.group(catalog, catalog.group(q.id("id", "host group")))));
        r.patch(G + "/{id}", "Rename or describe a host group (membership changes through PATCH /hosts/{id})")
                .tag("host_groups").body(Schema.object()
                        .optional("name", Type.STRING, "new unique name")
                        .optional("description", Type.STRING, "new description")).handle(q -> {
                    JsonNode b = q.body();
                    return ApiResponse.ok(Views.group(catalog, catalog.renameGroup(q.id("id", "host group"),
                            text(b, "name"), text(b, "description"))));
                });
        r.delete(G + "/{id}", "Delete a host group; its hosts stay (refused while mapped, unless force=true)")
                .tag("host_groups").query("force").handle(q -> {
                    catalog.deleteGroup(q.id("id", "host group"), q.flag("force"));
                    return ApiResponse.noContent();
                });
    }

    /** The CHAP fields of a body: both or neither; on a PATCH an empty user name clears them. */
    static Host.Chap chap(JsonNode b, boolean patch) {
        String user = text(b, "chap_username");
        String secret = text(b, "chap_secret");
        if (user == null && secret == null) {
            return null;
        }
        if (patch && "".equals(user) && (secret == null || secret.isEmpty())) {
            return Host.Chap.CLEAR;
        }
        if (user == null || secret == null) {
            throw ApiException.badRequest(user == null ? "chap_username" : "chap_secret",
                    "chap_username and chap_secret go together");
        }
        return new Host.Chap(user, secret);
    }

    static String text(JsonNode b, String field) {
        return b.hasNonNull(field) ? b.get(field).asText() : null;
    }

    static Long optLong(JsonNode b, String field) {
        return b.hasNonNull(field) ? b.get(field).asLong() : null;
    }
}
