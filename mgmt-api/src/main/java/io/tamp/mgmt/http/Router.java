package io.tamp.mgmt.http;

import io.tamp.mgmt.auth.Access;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** The route table: every endpoint is registered once here, and the OpenAPI document is built from it. */
public final class Router {
    private final List<Route> routes = new ArrayList<>();
    private final List<Pattern> patterns = new ArrayList<>();
    private java.util.function.Function<RuntimeException, ApiException> translator = e -> null;

    /** Turns exceptions of lower layers (catalog, engine) into API errors; null leaves them a 500. */
    public void translator(java.util.function.Function<RuntimeException, ApiException> t) {
        this.translator = t;
    }

    ApiException translate(RuntimeException e) {
        return translator.apply(e);
    }

    /** A route's registration, in a fluent style: {@code router.get(path, "summary").tag(..).handle(h)}. */
    public final class Builder {
        private final String method;
        private final String template;
        private final String summary;
        private Access access = Access.READ;
        private Schema body;
        private String tag = "system";
        private int status = 200;
        private List<String> query = List.of();

        private Builder(String method, String template, String summary) {
            this.method = method;
            this.template = template;
            this.summary = summary;
        }

        public Builder access(Access a) {
            this.access = a;
            return this;
        }

        public Builder body(Schema s) {
            this.body = s;
            return this;
        }

        public Builder tag(String t) {
            this.tag = t;
            return this;
        }

        public Builder status(int s) {
            this.status = s;
            return this;
        }

        public Builder query(String... names) {
            this.query = List.of(names);
            return this;
        }

        public void handle(Route.Handler h) {
            Route r = new Route(method, template, access, body, summary, tag, status, query, h);
            for (Route other : routes) {
                if (other.method().equals(method) && other.template().equals(template)) {
                    throw new IllegalStateException("route registered twice: " + method + " " + template);
                }
            }
            routes.add(r);
            patterns.add(r.pattern());
        }
    }

    public Builder get(String template, String summary) {
        return new Builder("GET", template, summary);
    }

    public Builder post(String template, String summary) {
        return new Builder("POST", template, summary).access(Access.CHANGE);
    }

    public Builder patch(String template, String summary) {
        return new Builder("PATCH", template, summary).access(Access.CHANGE);
    }

    public Builder delete(String template, String summary) {
        return new Builder("DELETE", template, summary).access(Access.DELETE).status(204);
    }

    public List<Route> routes() {
        return List.copyOf(routes);
    }

    /** A route matched to a path, with its parameters. */
    public record Match(Route route, Map<String, String> params) {
    }

    /**
     * The route for method and path; a 404 when no template matches the path, a 405 naming the
     * allowed methods when templates match but not for this method.
     */
    public Match resolve(String method, String path) {
        Set<String> allowed = new LinkedHashSet<>();
        for (int i = 0; i < routes.size(); i++) {
            Route r = routes.get(i);
            Map<String, String> params = r.match(patterns.get(i), path);
            if (params == null) {
                continue;
            }
            if (r.method().equals(method)) {
                return new Match(r, params);
            }
            allowed.add(r.method());
        }
        if (allowed.isEmpty()) {
            throw new ApiException(404, "no_such_endpoint", "no endpoint at " + path);
        }
        throw new ApiException(405, "method_not_allowed", method + " is not allowed on " + path
                + "; allowed: " + String.join(", ", allowed));
    }
}
