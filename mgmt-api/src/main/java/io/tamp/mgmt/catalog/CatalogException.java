package io.tamp.mgmt.catalog;

/** A catalog change refused, with a stable code; the API maps its kind to an HTTP status. */
public final class CatalogException extends RuntimeException {
    public enum Kind { INVALID, NOT_FOUND, CONFLICT, UNPROCESSABLE }

    private final Kind kind;
    private final String code;
    private final String field;

    public CatalogException(Kind kind, String code, String detail, String field) {
        super(detail, null, false, false);
        this.kind = kind;
        this.code = code;
        this.field = field;
    }

    public Kind kind() {
        return kind;
    }

    public String code() {
        return code;
    }

    public String field() {
        return field;
    }

    static CatalogException invalid(String field, String detail) {
        return new CatalogException(Kind.INVALID, "invalid_field", detail, field);
    }

    static CatalogException notFound(String what, long id) {
        return new CatalogException(Kind.NOT_FOUND, "not_found", what + " '" + id + "' does not exist", null);
    }

    static CatalogException conflict(String code, String detail) {
        return new CatalogException(Kind.CONFLICT, code, detail, null);
    }
}
