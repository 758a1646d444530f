package io.tamp.mgmt.auth;

import io.tamp.mgmt.http.Authenticator;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Bearer tokens: 256 random bits, valid for a fixed time after login, held in memory only (a
 * controller restart logs everyone out). At most {@link #MAX_TOKENS} live at once; the oldest
 * expired ones are dropped first, then login is refused rather than memory grown without bound.
 */
public final class Tokens implements Authenticator {
    public static final int MAX_TOKENS = 10_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Session(Principal principal, long expiresAtMillis) {
    }

    /** A token as handed to the client. */
    public record Issued(String token, long expiresAtMillis) {
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final long ttlMillis;
    private final LongSupplier clockMillis;

    public Tokens(long ttlMillis, LongSupplier clockMillis) {
        if (ttlMillis <= 0) {
            throw new IllegalArgumentException("token lifetime must be positive");
        }
        this.ttlMillis = ttlMillis;
        this.clockMillis = clockMillis;
    }

    public Issued issue(Principal p) {
        long now = clockMillis.getAsLong();
        if (sessions.size() >= MAX_TOKENS) {
            sessions.values().removeIf(s -> s.expiresAtMillis <= now);
            if (sessions.size() >= MAX_TOKENS) {
                return null;
            }
        }
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        Session s = new Session(p, now + ttlMillis);
        sessions.put(token, s);
        return new Issued(token, s.expiresAtMillis);
    }

    @Override
    public Principal authenticate(String token) {
        Session s = sessions.get(token);
        if (s == null) {
            return null;
        }
        if (s.expiresAtMillis <= clockMillis.getAsLong()) {
            sessions.remove(token, s);
            return null;
        }
        return s.principal;
    }

    public void revoke(String token) {
        sessions.remove(token);
    }

    /** Ends every session of a user (deleted, or its password or role changed). */
    public void revokeUser(String username) {
        sessions.values().removeIf(s -> s.principal.username().equals(username));
    }
}
