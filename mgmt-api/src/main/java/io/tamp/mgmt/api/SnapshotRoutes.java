package io.tamp.mgmt.api;

import io.tamp.datapath.volume.Volume;
import io.tamp.mgmt.http.ApiException;
import io.tamp.mgmt.http.ApiRequest;
import io.tamp.mgmt.http.ApiResponse;
import io.tamp.mgmt.http.Router;
import io.tamp.mgmt.http.Schema;
import io.tamp.mgmt.http.Schema.Type;
import java.nio.charset.StandardCharsets;

/** Read-only point-in-time snapshots of a volume: create, list, get, delete. */
final class SnapshotRoutes {
    static final String S = "/api/v1/snapshots";

    private final Controller c;
    private final VolumeRoutes volumes;

    SnapshotRoutes(Controller c, VolumeRoutes volumes) {
        this.c = c;
        this.volumes = volumes;
    }

    void register(Router r) {
        r.get(VolumeRoutes.V + "/{id}/snapshots", "List a volume's snapshots").tag("snapshots").handle(q ->
                ApiResponse.ok(c.engine().snapshots(volumes.volume(q)).stream().map(s -> Views.volume(c, s)).toList()));
        r.post(VolumeRoutes.V + "/{id}/snapshots", "Take a snapshot: a read-only point-in-time copy sharing the "
                + "volume's data").tag("snapshots").status(201).body(Schema.object()
                .required("name", Type.STRING, "unique among this volume's snapshots")
                .optional("description", Type.STRING, "free text")).handle(this::create);
        r.get(S + "/{id}", "Get a snapshot").tag("snapshots").handle(q -> ApiResponse.ok(Views.volume(c, snapshot(q))));
        r.get(S + "/{id}/space", "Capacity of one snapshot").tag("space")
                .handle(q -> ApiResponse.ok(c.engine().volumeSpace(snapshot(q))));
        r.delete(S + "/{id}", "Delete a snapshot; its space is released by a background job").tag("snapshots")
                .status(202).handle(q -> {
                    Volume s = snapshot(q);
                    c.engine().deleteVolume(s);
                    long id = s.id();
                    var e = c.engine();
                    return ApiResponse.accepted(c.jobs().start("snapshot_delete", "snapshot", id,
                            "delete snapshot '" + s.name() + "' and release its space", q.principal().username(),
                            () -> e.released(id)));
                });
    }

    private ApiResponse create(ApiRequest q) {
        Volume v = volumes.volume(q);
        String name = q.body().get("name").asText();
        String description = VolumeRoutes.description(q.body());
        VolumeRoutes.checkName(name);
        if (c.engine().snapshots(v).stream().anyMatch(s -> s.name().equals(name))) {
            throw ApiException.conflict("name_in_use", "volume '" + v.name() + "' has a snapshot named '" + name + "'");
        }
        Volume s = c.engine().createSnapshot(v, name);
        if (description != null && !description.isEmpty()) {
            s.attribute(Views.DESCRIPTION, description.getBytes(StandardCharsets.UTF_8));
        }
        return ApiResponse.created(Views.volume(c, s));
    }

    private Volume snapshot(ApiRequest q) {
        Volume s = c.engine().snapshot(q.id("id", "snapshot"));
        if (s == null) {
            throw ApiException.notFound("snapshot", q.param("id"));
        }
        return s;
    }
}
