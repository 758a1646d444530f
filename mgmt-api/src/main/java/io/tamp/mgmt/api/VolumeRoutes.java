package io.tamp.mgmt.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.tamp.datapath.volume.Engine;
import io.tamp.datapath.volume.Volume;
import io.tamp.mgmt.auth.Access;
import io.tamp.mgmt.catalog.Mapping;
import io.tamp.mgmt.http.ApiException;
import io.tamp.mgmt.http.ApiRequest;
import io.tamp.mgmt.http.ApiResponse;
import io.tamp.mgmt.http.Router;
import io.tamp.mgmt.http.Schema;
import io.tamp.mgmt.http.Schema.Type;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/** {@code /api/v1/volumes}: create, list, get, resize, rename, delete; space and mappings of one volume. */
final class VolumeRoutes {
    static final String V = "/api/v1/volumes";
    static final int MAX_DESCRIPTION = 1024;

    private final Controller c;

    VolumeRoutes(Controller c) {
        this.c = c;
    }

    void register(Router r) {
        r.get(V, "List volumes (filter by name or name_contains; page with offset and limit)").tag("volumes")
                .query("name", "name_contains", "offset", "limit").handle(this::list);
        r.post(V, "Create a thin volume").tag("volumes").status(201).body(Schema.object()
                .required("name", Type.STRING, "unique name, 1..255 printable characters")
                .required("size_bytes", Type.INTEGER, "size in bytes: a positive multiple of 512, at most 2^50")
                .optional("description", Type.STRING, "free text, up to 1024 characters")).handle(this::create);
        r.get(V + "/{id}", "Get a volume").tag("volumes").handle(q -> ApiResponse.ok(Views.volume(c, volume(q))));
        r.patch(V + "/{id}", "Rename, grow or describe a volume").tag("volumes").body(Schema.object()
                .optional("name", Type.STRING, "new unique name")
                .optional("size_bytes", Type.INTEGER, "new size; volumes only grow")
                .optional("description", Type.STRING, "new description")).handle(this::update);
        r.delete(V + "/{id}", "Delete a volume (refused while mapped or with snapshots, unless force=true); "
                + "its space is released by a background job").tag("volumes").status(202).query("force")
                .handle(this::delete);
        r.get(V + "/{id}/space", "Capacity and data reduction of one volume").tag("space")
                .handle(q -> ApiResponse.ok(c.engine().volumeSpace(volume(q))));
        r.get(V + "/{id}/mappings", "List the hosts and host groups a volume is mapped to").tag("mappings")
                .handle(q -> ApiResponse.ok(c.catalog().mappings(volume(q).id()).stream().map(Views::mapping).toList()));
        r.post(V + "/{id}/mappings", "Map a volume to a host or a host group").tag("mappings").status(201)
                .body(Schema.object()
                        .optional("host_id", Type.INTEGER, "the host to map to (or host_group_id)")
                        .optional("host_group_id", Type.INTEGER, "the host group to map to (or host_id)")
                        .optional("lun", Type.INTEGER, "logical unit number 0..16383 (NVMe namespace id = lun + 1); "
                                + "default: the lowest free on every host reached"))
                .handle(this::map);
        r.delete(V + "/{id}/mappings/{mapping_id}", "Unmap: the volume disappears from those hosts")
                .tag("mappings").access(Access.CHANGE).handle(q -> {
                    c.catalog().unmap(volume(q).id(), q.id("mapping_id", "mapping"));
                    return ApiResponse.noContent();
                });
    }

    /** The live volume (not snapshot) the path names, or 404. */
    Volume volume(ApiRequest q) {
        long id = q.id("id", "volume");
        Volume v = c.engine().volume(id);
        if (v == null) {
            throw ApiException.notFound("volume", q.param("id"));
        }
        return v;
    }

    private ApiResponse list(ApiRequest q) {
        String name = q.queryParam("name");
        String contains = q.queryParam("name_contains");
        long offset = q.longParam("offset", 0, Long.MAX_VALUE);
        long limit = q.longParam("limit", 100, 1000);
        List<Volume> all = c.engine().volumes().stream()
                .filter(v -> name == null || v.name().equals(name))
                .filter(v -> contains == null || v.name().toLowerCase(Locale.ROOT).contains(contains.toLowerCase(Locale.ROOT)))
                .toList();
        List<Views.VolumeView> page = all.stream().skip(offset).limit(limit).map(v -> Views.volume(c, v)).toList();
        return ApiResponse.ok(new Views.Page<>(page, all.size(), offset, limit));
    }

    private ApiResponse create(ApiRequest q) {
        JsonNode b = q.body();
        String name = b.get("name").asText();
        long size = checkSize(b.get("size_bytes").asLong());
        String description = description(b);
        checkName(name);
        if (c.engine().volume(name) != null) {
            throw ApiException.conflict("name_in_use", "a volume named '" + name + "' exists");
        }
        Volume v;
        try {
            v = c.engine().createVolume(name, size);
        } catch (IllegalArgumentException e) { // lost a race with another create of the same name
            throw ApiException.conflict("name_in_use", e.getMessage());
        }
        if (description != null && !description.isEmpty()) {
            v.attribute(Views.DESCRIPTION, description.getBytes(StandardCharsets.UTF_8));
        }
        return ApiResponse.created(Views.volume(c, v));
    }

    private ApiResponse update(ApiRequest q) {
        Volume v = volume(q);
        JsonNode b = q.body();
        String description = description(b);
        Long size = b.hasNonNull("size_bytes") ? checkSize(b.get("size_bytes").asLong()) : null;
        String name = b.hasNonNull("name") ? b.get("name").asText() : null;
        if (name != null) {
            checkName(name);
            Volume other = c.engine().volume(name);
            if (other != null && other != v) {
                throw ApiException.conflict("name_in_use", "a volume named '" + name + "' exists");
            }
        }
        if (size != null && size < v.sizeBytes()) {
            throw ApiException.unprocessable("shrink_not_supported", "volumes only grow: " + v.name() + " is "
                    + v.sizeBytes() + " bytes, asked for " + size);
        }
        // every check is done: apply
        if (size != null && size > v.sizeBytes()) {
            c.engine().resizeVolume(v, size);
        }
        if (name != null) {
            c.engine().renameVolume(v, name);
        }
        if (description != null) {
            v.attribute(Views.DESCRIPTION, description.isEmpty() ? null : description.getBytes(StandardCharsets.UTF_8));
        }
        return ApiResponse.ok(Views.volume(c, v));
    }

    private ApiResponse delete(ApiRequest q) {
        Volume v = volume(q);
        boolean force = q.flag("force");
        List<Mapping> mapped = c.catalog().mappings(v.id());
        if (!mapped.isEmpty() && !force) {
            throw ApiException.conflict("volume_mapped", "volume '" + v.name() + "' is mapped to " + mapped.size()
                    + " host(s) or group(s); unmap it first or delete with force=true");
        }
        List<Volume> snapshots = c.engine().snapshots(v);
        if (!snapshots.isEmpty() && !force) {
            throw ApiException.conflict("volume_has_snapshots", "volume '" + v.name() + "' has " + snapshots.size()
                    + " snapshot(s); delete them first or delete with force=true");
        }
        c.catalog().unmapVolume(v.id());
        c.engine().deleteVolume(v, true);
        c.ioMetrics().forget(v.id());
        Engine e = c.engine();
        long id = v.id();
        List<Long> snapIds = snapshots.stream().map(Volume::id).toList();
        Jobs.Job job = c.jobs().start("volume_delete", "volume", id, "delete volume '" + v.name() + "' and release "
                + "its space", q.principal().username(), () -> e.released(id) && snapIds.stream().allMatch(e::released));
        return ApiResponse.accepted(job);
    }

    private ApiResponse map(ApiRequest q) {
        Volume v = volume(q);
        JsonNode b = q.body();
        Long host = b.hasNonNull("host_id") ? b.get("host_id").asLong() : null;
        Long group = b.hasNonNull("host_group_id") ? b.get("host_group_id").asLong() : null;
        Long lun = b.hasNonNull("lun") ? b.get("lun").asLong() : null;
        return ApiResponse.created(Views.mapping(c.catalog().map(v, host, group, lun)));
    }

    static long checkSize(long size) {
        if (size <= 0 || size % Volume.SECTOR != 0) {
            throw ApiException.badRequest("size_bytes", "size_bytes must be a positive multiple of 512, got " + size);
        }
        if (size > Engine.MAX_VOLUME_BYTES) {
            throw ApiException.unprocessable("size_too_large", "volumes are limited to 2^50 bytes (1 PiB), asked for "
                    + size);
        }
        return size;
    }

    static void checkName(String name) {
        if (name.isBlank() || name.length() > 255 || name.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("name", "name must be 1..255 printable characters");
        }
    }

    static String description(JsonNode b) {
        if (!b.hasNonNull("description")) {
            return null;
        }
        String d = b.get("description").asText();
        if (d.length() > MAX_DESCRIPTION) {
            throw ApiException.badRequest("description", "description is limited to " + MAX_DESCRIPTION + " characters");
        }
        return d;
    }
}
