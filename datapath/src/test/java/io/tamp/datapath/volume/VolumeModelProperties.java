package io.tamp.datapath.volume;

import static org.junit.jupiter.api.Assertions.fail;

import io.tamp.datapath.fsck.Fsck;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Model-based property test: random sequences of write / overwrite / partial-block write / unmap /
 * write-zeroes / read / flush / close-and-reopen across several volumes, checked against an
 * in-memory model. After each sequence fsck must pass and the accounting must match the model's
 * count of unique non-zero blocks. A failing sequence is shrunk before it is reported; replay one
 * seed with {@code -Dmodel.seed=N}, run more with {@code -Dmodel.seeds=N}.
 */
class VolumeModelProperties {
    static final int B = Volume.BLOCK;
    static final int S = Volume.SECTOR;
    static final int VOLUMES = 3;
    static final int VOLUME_BYTES = 96 * B;
    /** Few distinct contents, so dedup happens often. */
    static final int PALETTE = 24;

    sealed interface Op permits Write, Unmap, Zeroes, Read, Flush, Reopen {}

    record Write(int vol, long offset, int length, long contentSeed, boolean fua) implements Op {}

    record Unmap(int vol, long offset, int length) implements Op {}

    record Zeroes(int vol, long offset, int length) implements Op {}

    record Read(int vol, long offset, int length) implements Op {}

    record Flush() implements Op {}

    record Reopen(boolean crash) implements Op {}

    static LongStream seeds() {
        String one = System.getProperty("model.seed");
        if (one != null) {
            return LongStream.of(Long.parseLong(one));
        }
        long n = Long.getLong("model.seeds", 24);
        return LongStream.range(1, n + 1).map(i -> i * 0x9E3779B97F4A7C15L);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void volumesBehaveLikeTheModel(long seed) throws Exception {
        List<Op> ops = generate(seed, 160);
        String failure = run(ops, seed);
        if (failure == null) {
            return;
        }
        List<Op> shrunk = shrink(ops, seed);
        fail("seed " + seed + " (replay: -Dmodel.seed=" + seed + "): " + run(shrunk, seed)
                + "\nshrunk to " + shrunk.size() + " ops:\n" + String.join("\n", shrunk.stream().map(Op::toString).toList())
                + "\noriginal failure: " + (failure.length() > 400 ? failure.substring(0, 400) + "..." : failure));
    }

    static List<Op> generate(long seed, int count) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int vol = r.nextInt(VOLUMES);
            int kind = r.nextInt(100);
            if (kind < 35) { // whole blocks, palette content (dedup)
                int blocks = 1 + r.nextInt(12);
                long off = (long) r.nextInt(VOLUME_BYTES / B - blocks + 1) * B;
                ops.add(new Write(vol, off, blocks * B, r.nextInt(PALETTE), r.nextInt(10) == 0));
            } else if (kind < 55) { // sector-granular, possibly partial blocks
                int sectors = 1 + r.nextInt(20);
                long off = (long) r.nextInt(VOLUME_BYTES / S - sectors + 1) * S;
                ops.add(new Write(vol, off, sectors * S, r.nextLong(), false));
            } else if (kind < 65) {
                int sectors = 1 + r.nextInt(64);
                long off = (long) r.nextInt(VOLUME_BYTES / S - sectors + 1) * S;
                ops.add(new Unmap(vol, off, sectors * S));
            } else if (kind < 70) {
                int sectors = 1 + r.nextInt(24);
                long off = (long) r.nextInt(VOLUME_BYTES / S - sectors + 1) * S;
                ops.add(new Zeroes(vol, off, sectors * S));
            } else if (kind < 90) {
                int sectors = 1 + r.nextInt(40);
                long off = (long) r.nextInt(VOLUME_BYTES / S - sectors + 1) * S;
                ops.add(new Read(vol, off, sectors * S));
            } else if (kind < 95) {
                ops.add(new Flush());
            } else {
                ops.add(new Reopen(r.nextBoolean()));
            }
        }
        ops.add(new Flush());
        return ops;
    }

    /** Content of a write: palette blocks repeat exactly (dedup); other seeds give half-compressible bytes. */
    static byte[] content(Write w) {
        byte[] b = new byte[w.length()];
        if (w.contentSeed() >= 0 && w.contentSeed() < PALETTE && w.length() % B == 0) {
            for (int blk = 0; blk < w.length() / B; blk++) {
                fillBlock(b, blk * B, w.contentSeed() * 1000 + blk % 3);
            }
        } else {
            SplittableRandom r = new SplittableRandom(w.contentSeed());
            for (int i = 0; i < b.length; i++) {
                b[i] = (i / 32) % 2 == 0 ? (byte) r.nextInt(256) : (byte) 'x';
            }
        }
        return b;
    }

    static void fillBlock(byte[] b, int off, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < B; i++) {
            b[off + i] = i % 3 == 0 ? (byte) r.nextInt(256) : (byte) (i % 11);
        }
    }

    /** Runs ops against a fresh pool; null when everything matched, else what went wrong. */
    static String run(List<Op> ops, long seed) throws IOException {
        Path dir = Files.createTempDirectory("tamp-model");
        // a small inline-unmap limit sends larger unmaps through the deferred (pending-range) path
        EngineConfig config = EngineConfig.small(dir, 2, 16L << 20).withInlineUnmapBlocks(seed % 2 == 0 ? 2 : 4096);
        byte[][] model = new byte[VOLUMES][VOLUME_BYTES];
        Engine engine = Engine.open(config);
        try {
            for (int v = 0; v < VOLUMES; v++) {
                engine.createVolume("v" + v, VOLUME_BYTES);
            }
            for (int i = 0; i < ops.size(); i++) {
                Op op = ops.get(i);
                String err = apply(engine, model, op);
                if (err != null) {
                    return "op " + i + " " + op + ": " + err;
                }
                if (op instanceof Reopen re) {
                    if (re.crash()) {
                        engine.flush(); // crash after a flush: everything in the model is durable
                        engine.abandon();
                    } else {
                        engine.close();
                    }
                    engine = Engine.open(config);
                }
            }
            engine.settle(true);
            for (int v = 0; v < VOLUMES; v++) {
                String err = apply(engine, model, new Read(v, 0, VOLUME_BYTES));
                if (err != null) {
                    return "final read: " + err;
                }
            }
            Fsck.Result fsck = Fsck.check(engine);
            if (!fsck.ok()) {
                return "fsck: " + fsck.violations();
            }
            HashSet<ByteBuffer> unique = new HashSet<>();
            long nonZero = 0;
            for (byte[] m : model) {
                for (int off = 0; off < VOLUME_BYTES; off += B) {
                    byte[] blk = Arrays.copyOfRange(m, off, off + B);
                    if (!Arrays.equals(blk, new byte[B])) {
                        nonZero++;
                        unique.add(ByteBuffer.wrap(blk));
                    }
                }
            }
            SpaceReport s = engine.space();
            if (s.uniqueBlocks() != unique.size() || s.logicalUsed() != nonZero * B) {
                return "accounting: engine unique=" + s.uniqueBlocks() + " logical=" + s.logicalUsed()
                        + ", model unique=" + unique.size() + " logical=" + nonZero * B;
            }
            return null;
        } finally {
            engine.close();
            deleteTree(dir);
        }
    }

    static String apply(Engine engine, byte[][] model, Op op) {
        if (op instanceof Write w) {
                byte[] data = content(w);
                IoStatus s = volume(engine, w.vol()).write(w.offset(), data, w.fua());
                if (!s.ok()) {
                    return "write returned " + s;
                }
                System.arraycopy(data, 0, model[w.vol()], (int) w.offset(), data.length);
        } else if (op instanceof Unmap u) {
                IoStatus s = volume(engine, u.vol()).unmap(u.offset(), u.length());
                if (!s.ok()) {
                    return "unmap returned " + s;
                }
                Arrays.fill(model[u.vol()], (int) u.offset(), (int) u.offset() + u.length(), (byte) 0);
        } else if (op instanceof Zeroes z) {
                IoStatus s = volume(engine, z.vol()).writeZeroes(z.offset(), z.length(), false);
                if (!s.ok()) {
                    return "write-zeroes returned " + s;
                }
                Arrays.fill(model[z.vol()], (int) z.offset(), (int) z.offset() + z.length(), (byte) 0);
        } else if (op instanceof Read rd) {
                byte[] got = new byte[rd.length()];
                IoStatus s = volume(engine, rd.vol()).read(rd.offset(), got);
                if (!s.ok()) {
                    return "read returned " + s;
                }
                byte[] want = Arrays.copyOfRange(model[rd.vol()], (int) rd.offset(), (int) rd.offset() + rd.length());
                int at = Arrays.mismatch(got, want);
                if (at >= 0) {
                    return "read of v" + rd.vol() + " differs from the model at byte " + (rd.offset() + at);
                }
        } else if (op instanceof Flush) {
                IoStatus s = engine.flush();
                if (!s.ok()) {
                    return "flush returned " + s;
                }
        }
        return null; // Reopen is handled by the caller
    }

    static Volume volume(Engine e, int v) {
        return e.volume("v" + v);
    }

    /** Drops chunks, then single ops, while the sequence still fails. */
    static List<Op> shrink(List<Op> ops, long seed) throws IOException {
        List<Op> current = new ArrayList<>(ops);
        for (int chunk = current.size() / 2; chunk >= 1; chunk /= 2) {
            for (int i = 0; i + chunk <= current.size(); ) {
                List<Op> candidate = new ArrayList<>(current.subList(0, i));
                candidate.addAll(current.subList(i + chunk, current.size()));
                if (run(candidate, seed) != null) {
                    current = candidate;
                } else {
                    i += chunk;
                }
            }
        }
        return current;
    }

    static void deleteTree(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
