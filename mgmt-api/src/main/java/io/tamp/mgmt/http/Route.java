package io.tamp.mgmt.http;

import io.tamp.mgmt.auth.Access;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One endpoint: method, path template ({@code /api/v1/volumes/{id}}), the access it needs, its
 * request body schema (null: no body), and what the OpenAPI document says about it.
 */
public record Route(String method, String template, Access access, Schema body, String summary, String tag,
                    int successStatus, List<String> queryParams, Handler handler) {

    @FunctionalInterface
    public interface Handler {
        ApiResponse handle(ApiRequest request) throws Exception;
    }

    private static final Pattern PARAM = Pattern.compile("\\{([a-z_]+)}");

    Pattern pattern() {
        Matcher m = PARAM.matcher(template);
        StringBuilder re = new StringBuilder();
        int last = 0;
        while (m.find()) {
            re.append(Pattern.quote(template.substring(last, m.start())));
            re.append("(?<").append(m.group(1).replace("_", "")).append(">[^/]+)");
            last = m.end();
        }
        re.append(Pattern.quote(template.substring(last)));
        return Pattern.compile(re.toString());
    }

    List<String> paramNames() {
        Matcher m = PARAM.matcher(template);
        java.util.ArrayList<String> names = new java.util.ArrayList<>();
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    Map<String, String> match(Pattern p, String path) {
        Matcher m = p.matcher(path);
        if (!m.matches()) {
            return null;
        }
        Map<String, String> params = new java.util.HashMap<>();
        for (String name : paramNames()) {
            params.put(name, m.group(name.replace("_", "")));
        }
        return params;
    }
}
