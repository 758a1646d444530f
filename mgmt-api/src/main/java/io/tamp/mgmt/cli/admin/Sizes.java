package io.tamp.mgmt.cli.admin;

/** "10G" → 10 GiB in bytes; plain numbers are bytes. */
public final class Sizes {
    private Sizes() {
    }

    public static long parse(String s) {
        String t = s.trim().toUpperCase(java.util.Locale.ROOT);
        long unit = 1;
        int shift = t.isEmpty() ? -1 : "KMGTP".indexOf(t.charAt(t.length() - 1));
        if (shift >= 0) {
            unit = 1L << (10 * (shift + 1));
            t = t.substring(0, t.length() - 1);
        }
        try {
            return Math.multiplyExact(Long.parseLong(t), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("not a size: '" + s + "' (bytes, or a number with K, M, G, T or P)");
        }
    }
}
