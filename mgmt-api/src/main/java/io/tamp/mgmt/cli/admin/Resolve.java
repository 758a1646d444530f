package io.tamp.mgmt.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.tamp.mgmt.client.TampClient;

/** Turns what a user typed (an id or a name) into the id the API paths take. */
final class Resolve {
    private Resolve() {
    }

    static long volume(TampClient c, String ref) throws Exception {
        if (ref.matches("\\d+")) {
            return Long.parseLong(ref);
        }
        JsonNode page = c.get("/api/v1/volumes?name=" + TampClient.encode(ref));
        if (page.get("total").asLong() == 0) {
            throw new TampClient.ApiError(404, "not_found", "no volume named '" + ref + "'");
        }
        return page.get("items").get(0).get("id").asLong();
    }

    static long host(TampClient c, String ref) throws Exception {
        if (ref.matches("\\d+")) {
            return Long.parseLong(ref);
        }
        for (JsonNode h : c.get("/api/v1/hosts")) {
            if (h.get("name").asText().equals(ref)) {
                return h.get("id").asLong();
            }
        }
        throw new TampClient.ApiError(404, "not_found", "no host named '" + ref + "'");
    }
}
