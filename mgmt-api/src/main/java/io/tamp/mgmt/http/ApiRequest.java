package io.tamp.mgmt.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.tamp.mgmt.auth.Principal;
import java.util.List;
import java.util.Map;

/**
 * One decoded API call: path parameters from the route template, query parameters, the JSON
 * body (null when there was none), the caller, its bearer token and its address (for the audit log).
 */
public record ApiRequest(String method, String path, Map<String, String> pathParams,
                         Map<String, List<String>> query, JsonNode body, Principal principal, String token,
                         String remote) {

    public String param(String name) {
        return pathParams.get(name);
    }

    /** A path parameter that names a numeric id; anything else is a 404 for that resource. */
    public long id(String name, String resource) {
        String s = pathParams.get(name);
        try {
            long id = Long.parseLong(s);
            if (id >= 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw ApiException.notFound(resource, s);
    }

    public String queryParam(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    public boolean flag(String name) {
        String v = queryParam(name);
        if (v == null) {
            return false;
        }
        if (v.equals("true") || v.isEmpty()) {
            return true;
        }
        if (v.equals("false")) {
            return false;
        }
        throw ApiException.badRequest(name, "query parameter '" + name + "' must be true or false");
    }

    /** A non-negative integer query parameter in [0, max], or def when absent. */
    public long longParam(String name, long def, long max) {
        String v = queryParam(name);
        if (v == null) {
            return def;
        }
        try {
            long n = Long.parseLong(v);
            if (n >= 0 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw ApiException.badRequest(name, "query parameter '" + name + "' must be an integer in 0.." + max);
    }
}
