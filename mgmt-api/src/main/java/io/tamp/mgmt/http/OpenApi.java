package io.tamp.mgmt.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tamp.mgmt.auth.Access;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenAPI 3.0 document of every route in a {@link Router}, built from the route table itself
 * (paths, methods, path and query parameters, request schemas, success status, security), so the
 * document cannot list an endpoint the server lacks or miss one it has.
 */
public final class OpenApi {
    private static final Pattern PARAM = Pattern.compile("\\{([a-z_]+)}");

    private OpenApi() {
    }

    public static ObjectNode document(Router router, String version) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode doc = f.objectNode().put("openapi", "3.0.3");
        doc.putObject("info").put("title", "Tamp management API").put("version", version)
                .put("description", "Volumes, hosts, mappings, snapshots, capacity and metrics of a Tamp controller. "
                        + "Errors are RFC 7807 problem+json with a stable 'code'.");
        ObjectNode components = doc.putObject("components");
        components.putObject("securitySchemes").putObject("bearer").put("type", "http").put("scheme", "bearer");
        ObjectNode problem = components.putObject("schemas").putObject("Problem").put("type", "object");
        ObjectNode pp = problem.putObject("properties");
        for (String s : new String[] {"type", "title", "code", "detail", "field", "instance"}) {
            pp.putObject(s).put("type", "string");
        }
        pp.putObject("status").put("type", "integer");
        doc.putArray("security").addObject().putArray("bearer");
        ObjectNode paths = doc.putObject("paths");
        for (Route r : router.routes()) {
            ObjectNode path = paths.has(r.template()) ? (ObjectNode) paths.get(r.template()) : paths.putObject(r.template());
            ObjectNode op = path.putObject(r.method().toLowerCase(java.util.Locale.ROOT));
            op.put("summary", r.summary());
            op.put("operationId", operationId(r));
            op.putArray("tags").add(r.tag());
            op.put("x-tamp-access", r.access().name().toLowerCase(java.util.Locale.ROOT));
            if (r.access() == Access.PUBLIC) {
                op.putArray("security");
            }
            ArrayNode params = op.putArray("parameters");
            Matcher m = PARAM.matcher(r.template());
            while (m.find()) {
                params.addObject().put("name", m.group(1)).put("in", "path").put("required", true)
                        .putObject("schema").put("type", m.group(1).equals("name") ? "string" : "integer");
            }
            for (String q : r.queryParams()) {
                params.addObject().put("name", q).put("in", "query").put("required", false)
                        .putObject("schema").put("type", q.equals("force") ? "boolean"
                                : q.equals("offset") || q.equals("limit") || q.equals("window_seconds") ? "integer" : "string");
            }
            if (r.body() != null) {
                op.putObject("requestBody").put("required", true).putObject("content")
                        .putObject("application/json").set("schema", r.body().toOpenApi());
            }
            ObjectNode responses = op.putObject("responses");
            ObjectNode ok = responses.putObject(Integer.toString(r.successStatus()))
                    .put("description", r.successStatus() == 204 ? "done" : "success");
            if (r.successStatus() != 204) {
                ok.putObject("content").putObject(r.template().equals("/metrics") ? "text/plain" : "application/json")
                        .putObject("schema").put("type", r.template().equals("/metrics") ? "string" : "object");
            }
            responses.putObject("default").put("description", "an error").putObject("content")
                    .putObject(ApiServer.PROBLEM_JSON).putObject("schema").put("$ref", "#/components/schemas/Problem");
        }
        return doc;
    }

    private static String operationId(Route r) {
        String t = r.template().replace("/api/v1/", "").replaceAll("[{}]", "").replace('/', '_');
        return r.method().toLowerCase(java.util.Locale.ROOT) + "_" + (t.startsWith("_") ? t.substring(1) : t);
    }
}
