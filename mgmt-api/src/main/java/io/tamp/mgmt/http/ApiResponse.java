package io.tamp.mgmt.http;

/**
 * What a handler answers: a status and a body that Jackson writes as JSON (or, with a content
 * type other than JSON, a String sent as is).
 */
public record ApiResponse(int status, Object body, String contentType) {
    public static final String JSON = "application/json";

    public static ApiResponse ok(Object body) {
        return new ApiResponse(200, body, JSON);
    }

    public static ApiResponse created(Object body) {
        return new ApiResponse(201, body, JSON);
    }

    public static ApiResponse accepted(Object body) {
        return new ApiResponse(202, body, JSON);
    }

    public static ApiResponse noContent() {
        return new ApiResponse(204, null, JSON);
    }

    public static ApiResponse text(String body, String contentType) {
        return new ApiResponse(200, body, contentType);
    }
}
