package io.tamp.mgmt.auth;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/** Salted, slow password hashes: PBKDF2-HMAC-SHA256 from the JDK, compared in constant time. */
public final class Passwords {
    public static final int ITERATIONS = 100_000;
    public static final int MIN_LENGTH = 8;
    public static final int MAX_LENGTH = 256;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    private Passwords() {
    }

    /** A stored password: salt, iteration count and derived key. */
    public record Hash(byte[] salt, int iterations, byte[] key) {
    }

    public static Hash hash(char[] password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return new Hash(salt, ITERATIONS, derive(password, salt, ITERATIONS));
    }

    public static boolean verify(char[] password, Hash stored) {
        return MessageDigest.isEqual(derive(password, stored.salt(), stored.iterations()), stored.key());
    }

    /** Why a new password is unacceptable, or null. */
    public static String weakness(String password) {
        if (password.length() < MIN_LENGTH) {
            return "passwords need at least " + MIN_LENGTH + " characters";
        }
        if (password.length() > MAX_LENGTH) {
            return "passwords are limited to " + MAX_LENGTH + " characters";
        }
        return null;
    }

    /** A random password of 20 characters from an unambiguous alphabet (about 116 bits). */
    public static String generate() {
        StringBuilder b = new StringBuilder(20);
        for (int i = 0; i < 20; i++) {
            b.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return b.toString();
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, 256);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 unavailable", e);
        }
    }
}
