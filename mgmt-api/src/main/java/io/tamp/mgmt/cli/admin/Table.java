package io.tamp.mgmt.cli.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A plain-text table with a header row, columns padded to their widest cell. */
final class Table {
    private final List<String[]> rows = new ArrayList<>();

    Table(String... header) {
        rows.add(header);
    }

    Table row(Object... cells) {
        String[] r = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            r[i] = cells[i] == null ? "-" : cells[i].toString();
        }
        rows.add(r);
        return this;
    }

    String render() {
        int cols = rows.get(0).length;
        int[] width = new int[cols];
        for (String[] r : rows) {
            for (int i = 0; i < cols && i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (String[] r : rows) {
            for (int i = 0; i < cols; i++) {
                String cell = i < r.length ? r[i] : "";
                b.append(cell);
                if (i < cols - 1) {
                    b.append(" ".repeat(width[i] - cell.length() + 2));
                }
            }
            b.append('\n');
        }
        return b.toString();
    }

    /** 1536 → "1.5 KiB"; exact bytes below 1 KiB. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    static String ratio(double r) {
        return String.format(Locale.ROOT, "%.2f:1", r);
    }
}
