package io.tamp.mgmt.api;

import io.tamp.mgmt.catalog.CatalogException;
import io.tamp.mgmt.http.ApiException;
import io.tamp.mgmt.http.ApiResponse;
import io.tamp.mgmt.http.OpenApi;
import io.tamp.mgmt.http.Router;

/** Builds the route table of the whole API: {@code /api/v1/...}, the OpenAPI document and {@code /metrics}. */
public final class ManagementApi {
    private ManagementApi() {
    }

    public static Router router(Controller c) {
        Router r = new Router();
        new SystemRoutes(c).register(r);
        VolumeRoutes volumes = new VolumeRoutes(c);
        volumes.register(r);
        new SnapshotRoutes(c, volumes).register(r);
        new HostRoutes(c.catalog()).register(r);
        new MetricsRoutes(c).register(r);
        Object[] doc = new Object[1]; // built on first request, once every route (itself included) is in
        r.get("/api/v1/openapi.json", "This OpenAPI 3 document, generated from the route table").tag("system")
                .handle(q -> {
                    synchronized (doc) {
                        if (doc[0] == null) {
                            doc[0] = OpenApi.document(r, SystemRoutes.VERSION);
                        }
                        return ApiResponse.ok(doc[0]);
                    }
                });
        r.translator(ManagementApi::translate);
        return r;
    }

    static ApiException translate(RuntimeException e) {
        if (e instanceof CatalogException ce) {
            int status = switch (ce.kind()) {
                case INVALID -> 400;
                case NOT_FOUND -> 404;
                case CONFLICT -> 409;
                case UNPROCESSABLE -> 422;
            };
            return new ApiException(status, ce.code(), ce.getMessage(), ce.field());
        }
        if (e instanceof IllegalStateException && e.getMessage() != null && e.getMessage().startsWith("engine ")) {
            return new ApiException(503, "engine_unavailable", e.getMessage());
        }
        return null;
    }
}
