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
 * Model-based property test of snapshots: random writes, unmaps, snapshots, snapshot deletes,
 * deletes of a volume with its snapshots, reads of volumes and snapshots and reopens (clean, or a
 * crash after a flush), checked against byte-array images. A snapshot's image is a copy of its
 * source's taken when it was created. At the end fsck must pass and the accounting must match the
 * model: unique blocks over volumes and snapshots, volume and snapshot logical bytes, and whether
 * anything is held by snapshots alone. Replay a seed with {@code -Dsnapmodel.seed=N}, run more with
 * {@code -Dsnapmodel.seeds=N}.
 */
class SnapshotModelProperties {
    static final int B = Volume.BLOCK;
    static final int S = Volume.SECTOR;
    static final int VOLUMES = 2;
    static final int VOLUME_BYTES = 64 * B;
    static final int PALETTE = 16;

    sealed interface Op permits Write, Unmap, Snap, DropSnap, DropVolume, Read, Reopen {}

    record Write(int vol, long offset, int length, long contentSeed) implements Op {}

    record Unmap(int vol, long offset, int length) implements Op {}

    record Snap(int vol) implements Op {}

    /** Deletes the live snapshot at index pick modulo their count (nothing when there is none). */
    record DropSnap(int pick) implements Op {}

    /** Deletes the volume with its snapshots and creates an empty one under the same name. */
    record DropVolume(int vol) implements Op {}

    /** Reads all of the volume (snapshot < 0) or of the live snapshot at index snapshot modulo their count. */
    record Read(int vol, int snapshot) implements Op {}

    record Reopen(boolean crash) implements Op {}

    /** A snapshot in the model: its engine id, source and frozen image. */
    record SnapModel(long id, int vol, byte[] image) {}

    static LongStream seeds() {
        String one = System.getProperty("snapmodel.seed");
        if (one != null) {
            return LongStream.of(Long.parseLong(one));
        }
        long n = Long.getLong("snapmodel.seeds", 12);
        return LongStream.range(1, n + 1).map(i -> i * 0xC2B2AE3D27D4EB4FL);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void snapshotsBehaveLikeTheModel(long seed) throws Exception {
        List<Op> ops = generate(seed, 120);
        String failure = run(ops, seed);
        if (failure == null) {
            return;
        }
        List<Op> shrunk = shrink(ops, seed);
        fail("seed " + seed + " (replay: -Dsnapmodel.seed=" + seed + "): " + run(shrunk, seed)
                + "\nshrunk to " + shrunk.size() + " ops:\n" + String.join("\n", shrunk.stream().map(Op::toString).toList())
                + "\noriginal failure: " + (failure.length() > 400 ? failure.substring(0, 400) + "..." : failure));
    }

    static List<Op> generate(long seed, int count) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int vol = r.nextInt(VOLUMES);
            int kind = r.nextInt(100);
            if (kind < 30) {
                int blocks = 1 + r.nextInt(16);
                long off = (long) r.nextInt(VOLUME_BYTES / B - blocks + 1) * B;
                ops.add(new Write(vol, off, blocks * B, r.nextInt(PALETTE)));
            } else if (kind < 45) {
                int sectors = 1 + r.nextInt(20);
                long off = (long) r.nextInt(VOLUME_BYTES / S - sectors + 1) * S;
                ops.add(new Write(vol, off, sectors * S, PALETTE + r.nextInt(1 << 20)));
            } else if (kind < 55) {
                int sectors = 1 + r.nextInt(96);
                long off = (long) r.nextInt(VOLUME_BYTES / S - sectors + 1) * S;
                ops.add(new Unmap(vol, off, sectors * S));
            } else if (kind < 67) {
                ops.add(new Snap(vol));
            } else if (kind < 73) {
                ops.add(new DropSnap(r.nextInt(8)));
            } else if (kind < 75) {
                ops.add(new DropVolume(vol));
            } else if (kind < 95) {
                ops.add(new Read(vol, r.nextInt(3) == 0 ? -1 : r.nextInt(8)));
            } else {
                ops.add(new Reopen(r.nextBoolean()));
            }
        }
        return ops;
    }

    static byte[] content(Write w) {
        byte[] b = new byte[w.length()];
        if (w.contentSeed() < PALETTE && w.length() % B == 0) {
            for (int blk = 0; blk < w.length() / B; blk++) {
                VolumeModelProperties.fillBlock(b, blk * B, w.contentSeed() * 100 + blk % 4); // repeats: dedup
            }
        } else {
            SplittableRandom r = new SplittableRandom(w.contentSeed());
            for (int i = 0; i < b.length; i++) {
                b[i] = (i / 32) % 2 == 0 ? (byte) r.nextInt(256) : (byte) 'y';
            }
        }
        return b;
    }

    /** Runs ops against a fresh pool; null when everything matched, else what went wrong. */
    static String run(List<Op> ops, long seed) throws IOException {
        Path dir = Files.createTempDirectory("tamp-snapmodel");
        // odd seeds: a small inline-unmap limit, so snapshots meet pending unmap ranges
        EngineConfig config = EngineConfig.small(dir, 2, 16L << 20).withInlineUnmapBlocks(seed % 2 == 0 ? 4096 : 2);
        byte[][] volumes = new byte[VOLUMES][VOLUME_BYTES];
        List<SnapModel> snaps = new ArrayList<>();
        Engine engine = Engine.open(config);
        try {
            for (int v = 0; v < VOLUMES; v++) {
                engine.createVolume("v" + v, VOLUME_BYTES);
            }
            engine.snapshotCopy.batchEntries = 1 + (int) Math.floorMod(seed, 24L); // many batches per snapshot
            int snapCounter = 0;
            for (int i = 0; i < ops.size(); i++) {
                Op op = ops.get(i);
                String err;
                try {
                    err = apply(engine, volumes, snaps, op, "snap" + snapCounter++);
                } catch (RuntimeException e) {
                    err = e.toString();
                }
                if (err != null) {
                    return "op " + i + " " + op + ": " + err;
                }
                if (op instanceof Reopen re) {
                    if (re.crash()) {
                        engine.flush();
                        engine.abandon();
                    } else {
                        engine.close();
                    }
                    engine = Engine.open(config);
                    engine.snapshotCopy.batchEntries = 1 + (int) Math.floorMod(seed, 24L);
                }
            }
            engine.settle(true);
            for (int v = 0; v < VOLUMES; v++) {
                String err = apply(engine, volumes, snaps, new Read(v, -1), null);
                if (err != null) {
                    return "final read: " + err;
                }
            }
            for (SnapModel s : snaps) {
                String err = readSnapshot(engine, s);
                if (err != null) {
                    return "final read: " + err;
                }
            }
            Fsck.Result fsck = Fsck.check(engine);
            if (!fsck.ok()) {
                return "fsck: " + fsck.violations();
            }
            return checkAccounting(engine, volumes, snaps);
        } finally {
            engine.close();
            VolumeModelProperties.deleteTree(dir);
        }
    }

    static String checkAccounting(Engine engine, byte[][] volumes, List<SnapModel> snaps) {
        HashSet<ByteBuffer> inVolumes = new HashSet<>();
        long volumeBlocks = 0;
        for (byte[] m : volumes) {
            volumeBlocks += nonZeroBlocks(m, inVolumes);
        }
        HashSet<ByteBuffer> inSnapshots = new HashSet<>();
        long snapshotBlocks = 0;
        for (SnapModel s : snaps) {
            snapshotBlocks += nonZeroBlocks(s.image(), inSnapshots);
        }
        HashSet<ByteBuffer> all = new HashSet<>(inVolumes);
        all.addAll(inSnapshots);
        inSnapshots.removeAll(inVolumes); // what only snapshots hold
        SpaceReport r = engine.space();
        if (r.uniqueBlocks() != all.size() || r.logicalUsed() != volumeBlocks * B
                || r.snapshotLogical() != snapshotBlocks * B
                || (r.snapshotPhysical() == 0) != inSnapshots.isEmpty()
                || r.snapshotPhysical() > (long) inSnapshots.size() * B
                || r.snapshotSavings() != r.snapshotLogical() - r.snapshotPhysical()) {
            return "accounting: engine " + r + "; model unique=" + all.size() + " volume blocks=" + volumeBlocks
                    + " snapshot blocks=" + snapshotBlocks + " held by snapshots only=" + inSnapshots.size();
        }
        return null;
    }

    static long nonZeroBlocks(byte[] image, HashSet<ByteBuffer> contents) {
        long n = 0;
        for (int off = 0; off < image.length; off += B) {
            byte[] blk = Arrays.copyOfRange(image, off, off + B);
            if (!Arrays.equals(blk, new byte[B])) {
                n++;
                contents.add(ByteBuffer.wrap(blk));
            }
        }
        return n;
    }

    static String apply(Engine engine, byte[][] volumes, List<SnapModel> snaps, Op op, String snapName) {
        if (op instanceof Write w) {
            byte[] data = content(w);
            IoStatus s = volume(engine, w.vol()).write(w.offset(), data, false);
            if (!s.ok()) {
                return "write returned " + s;
            }
            System.arraycopy(data, 0, volumes[w.vol()], (int) w.offset(), data.length);
        } else if (op instanceof Unmap u) {
            IoStatus s = volume(engine, u.vol()).unmap(u.offset(), u.length());
            if (!s.ok()) {
                return "unmap returned " + s;
            }
            Arrays.fill(volumes[u.vol()], (int) u.offset(), (int) u.offset() + u.length(), (byte) 0);
        } else if (op instanceof Snap sn) {
            Volume s = engine.createSnapshot(volume(engine, sn.vol()), snapName);
            snaps.add(new SnapModel(s.id(), sn.vol(), volumes[sn.vol()].clone()));
            if (s.write(0, new byte[B], false) != IoStatus.READ_ONLY) {
                return "a write to a snapshot was not refused";
            }
        } else if (op instanceof DropSnap d) {
            if (!snaps.isEmpty()) {
                SnapModel gone = snaps.remove(d.pick() % snaps.size());
                engine.deleteVolume(engine.snapshot(gone.id()));
            }
        } else if (op instanceof DropVolume d) {
            Volume v = volume(engine, d.vol());
            boolean hasSnapshots = snaps.stream().anyMatch(s -> s.vol() == d.vol());
            if (hasSnapshots) {
                try {
                    engine.deleteVolume(v);
                    return "a volume with snapshots was deleted without them";
                } catch (IllegalStateException expected) {
                    // refused, as it must be
                }
            }
            engine.deleteVolume(v, true);
            snaps.removeIf(s -> s.vol() == d.vol());
            engine.createVolume("v" + d.vol(), VOLUME_BYTES);
            Arrays.fill(volumes[d.vol()], (byte) 0);
        } else if (op instanceof Read rd) {
            if (rd.snapshot() >= 0) {
                return snaps.isEmpty() ? null : readSnapshot(engine, snaps.get(rd.snapshot() % snaps.size()));
            }
            return compare(volume(engine, rd.vol()), volumes[rd.vol()], "v" + rd.vol());
        }
        return null; // Reopen is handled by the caller
    }

    static String readSnapshot(Engine engine, SnapModel s) {
        Volume v = engine.snapshot(s.id());
        if (v == null) {
            return "snapshot " + s.id() + " of v" + s.vol() + " is missing";
        }
        if (v.sourceId() != volume(engine, s.vol()).id() || !v.isSnapshot()) {
            return "snapshot " + s.id() + " names source " + v.sourceId();
        }
        return compare(v, s.image(), "snapshot " + s.id() + " of v" + s.vol());
    }

    static String compare(Volume v, byte[] want, String what) {
        byte[] got = new byte[want.length];
        IoStatus s = v.read(0, got);
        if (!s.ok()) {
            return "read of " + what + " returned " + s;
        }
        int at = Arrays.mismatch(got, want);
        return at < 0 ? null : "read of " + what + " differs from the model at byte " + at;
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
}
