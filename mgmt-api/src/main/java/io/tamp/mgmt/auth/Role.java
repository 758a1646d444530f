package io.tamp.mgmt.auth;

/** What a user may do. Operators change things but delete nothing and manage no users. */
public enum Role {
    ADMIN, OPERATOR, READ_ONLY;

    public boolean allows(Access access) {
        return switch (access) {
            case PUBLIC, READ -> true;
            case CHANGE -> this != READ_ONLY;
            case DELETE, USERS -> this == ADMIN;
        };
    }

    /** The JSON name: "admin", "operator", "read_only". */
    public String jsonName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Role parse(String s) {
        for (Role r : values()) {
            if (r.jsonName().equals(s)) {
                return r;
            }
        }
        return null;
    }
}
