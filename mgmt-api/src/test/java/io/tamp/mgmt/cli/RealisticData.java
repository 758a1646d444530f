package io.tamp.mgmt.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded, generated stand-in for a host's data: application logs, prose, incompressible
 * regions, zero runs, a rotated log that is a whole-file copy, a disk-image-like file made of
 * 4 KiB-aligned copies of earlier regions, and a last file whose size is not a block multiple.
 */
final class RealisticData {
    static final int BLOCK = 4096;
    private static final int MiB = 1 << 20;
    private static final String[] LEVELS = {"INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"};
    private static final String[] COMPONENTS = {"iscsi.session", "nvme.tcp", "volume.engine", "segment.cleaner",
            "rest.api", "fingerprint.index", "unmap.drain", "metadata.store"};
    private static final String[] MESSAGES = {"write completed", "read completed", "unmap queued",
            "segment sealed", "flush batch committed", "command retried after busy", "login accepted from initiator",
            "compare-and-write miscompare", "extent deduplicated against existing fingerprint",
            "queue depth limit reached, applying back-pressure", "keep-alive timeout armed",
            "session closed by peer", "metadata compaction finished", "segment cleaned and freed"};

    private final SplittableRandom random;
    private final String[] words;

    RealisticData(long seed) {
        this.random = new SplittableRandom(seed);
        this.words = vocabulary(4000);
    }

    /** Writes the data set under dir and returns its files in import order (about 15 MiB). */
    List<Path> write(Path dir) throws IOException {
        byte[] log = logLines(4 * MiB);
        byte[] prose = prose(2 * MiB);
        byte[] noise = randomBytes(2 * MiB);
        List<Path> files = new ArrayList<>();
        files.add(Files.write(dir.resolve("app.log"), log));
        files.add(Files.write(dir.resolve("book.txt"), prose));
        files.add(Files.write(dir.resolve("archive.bin"), noise));
        files.add(Files.write(dir.resolve("app.log.1"), log)); // rotated copy: dedups whole
        files.add(Files.write(dir.resolve("disk.img"), diskImage(log, prose, noise)));
        files.add(Files.write(dir.resolve("notes.txt"), prose(100_001))); // unaligned tail, zero-padded
        return files;
    }

    /** Each file zero-padded to a block multiple, concatenated: the volume import writes. */
    static byte[] volumeImage(List<Path> files) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Path f : files) {
            byte[] b = Files.readAllBytes(f);
            out.write(b);
            out.write(new byte[(BLOCK - b.length % BLOCK) % BLOCK]);
        }
        return out.toByteArray();
    }

    /** The first maxBytes of a file already on every machine running the tests, or null. */
    static byte[] prefixOf(Path file, int maxBytes) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(maxBytes);
        }
    }

    private byte[] diskImage(byte[] log, byte[] prose, byte[] noise) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[MiB]); // unwritten start of a partition
        out.write(log, 8 * BLOCK, MiB); // aligned copy of part of the log: dedups
        out.write(noise, MiB, MiB / 2); // aligned copy of incompressible data: dedups
        out.write(log, 3 * MiB + 123, 64 * BLOCK); // shifted copy: same bytes, new blocks
        out.write(lowEntropyBytes(MiB / 2)); // compresses by less than a sector: stored raw
        out.write(new byte[MiB / 4]);
        out.write(logLines(MiB)); // fresh log text
        out.write(prose, 0, 256 * BLOCK); // aligned copy of prose: dedups
        return out.toByteArray();
    }

    /** Log lines from a few fixed templates with variable fields, as services write them. */
    private byte[] logLines(int bytes) {
        StringBuilder sb = new StringBuilder(bytes + 256);
        long millis = 1_764_000_000_000L;
        while (sb.length() < bytes) {
            millis += random.nextInt(50);
            int template = (int) (MESSAGES.length * Math.pow(random.nextDouble(), 2));
            sb.append(java.time.Instant.ofEpochMilli(millis)).append(' ')
                    .append(LEVELS[random.nextInt(LEVELS.length)]).append(" [worker-").append(random.nextInt(16))
                    .append("] ").append(COMPONENTS[template % COMPONENTS.length]).append(": ")
                    .append(MESSAGES[template]).append(" lba=").append(random.nextInt(1 << 20) * 8L)
                    .append(" len=").append(8 << random.nextInt(6));
            if (random.nextInt(4) == 0) {
                sb.append(" volume=").append(word()).append(" took ").append(random.nextInt(5000)).append("us");
            }
            sb.append('\n');
        }
        return Arrays.copyOf(sb.toString().getBytes(StandardCharsets.US_ASCII), bytes);
    }

    private byte[] prose(int bytes) {
        StringBuilder sb = new StringBuilder(bytes + 64);
        while (sb.length() < bytes) {
            int sentence = 6 + random.nextInt(20);
            for (int i = 0; i < sentence; i++) {
                String w = word();
                sb.append(i == 0 ? Character.toUpperCase(w.charAt(0)) + w.substring(1) : w);
                sb.append(i == sentence - 1 ? ". " : random.nextInt(10) == 0 ? ", " : " ");
            }
            if (random.nextInt(8) == 0) {
                sb.append("\n\n");
            }
        }
        return Arrays.copyOf(sb.toString().getBytes(StandardCharsets.US_ASCII), bytes);
    }

    /** Zipf-like: a few words are very common, most are rare. */
    private String word() {
        double u = random.nextDouble();
        return words[(int) (words.length * u * u * u)];
    }

    private byte[] randomBytes(int bytes) {
        byte[] b = new byte[bytes];
        for (int i = 0; i < bytes; i += 8) {
            long v = random.nextLong();
            for (int j = 0; j < 8; j++) {
                b[i + j] = (byte) (v >>> (8 * j));
            }
        }
        return b;
    }

    private byte[] lowEntropyBytes(int bytes) {
        byte[] b = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            b[i] = (byte) ('a' + random.nextInt(40));
        }
        return b;
    }

    private String[] vocabulary(int n) {
        String[] w = new String[n];
        for (int i = 0; i < n; i++) {
            int len = 2 + random.nextInt(3) + random.nextInt(6);
            char[] c = new char[len];
            for (int j = 0; j < len; j++) {
                c[j] = (char) ('a' + random.nextInt(26));
            }
            w[i] = new String(c);
        }
        return w;
    }
}
