package io.tamp.datapath.volume;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The deterministic op stream of the crash test, shared by the child that runs it and the parent
 * that replays it into a model: op i of a seed is always the same op with the same bytes.
 */
final class CrashOps {
    static final int SECTOR = Volume.SECTOR;
    static final int BLOCK = Volume.BLOCK;
    static final String VOLUME = "crash";
    static final long VOLUME_BYTES = 8L << 20;
    static final int VOLUME_BLOCKS = (int) (VOLUME_BYTES / BLOCK);
    static final int VOLUME_SECTORS = (int) (VOLUME_BYTES / SECTOR);
    /** Blocks shared by every op and every run, so overwrites keep hitting the dedup index. */
    private static final int TEMPLATES = 8;

    enum Kind { WRITE, UNMAP, FLUSH }

    /** One op; for WRITE, data holds lengthBytes bytes. */
    record Op(int index, Kind kind, long offsetBytes, int lengthBytes, byte[] data) {
        int firstSector() {
            return (int) (offsetBytes / SECTOR);
        }

        int endSector() {
            return (int) ((offsetBytes + lengthBytes) / SECTOR);
        }

        /** Applies the op to a model image of the volume. */
        void applyTo(byte[] image) {
            switch (kind) {
                case WRITE -> System.arraycopy(data, 0, image, (int) offsetBytes, lengthBytes);
                case UNMAP -> Arrays.fill(image, (int) offsetBytes, (int) offsetBytes + lengthBytes, (byte) 0);
                case FLUSH -> { }
            }
        }

        @Override
        public String toString() {
            return "op " + index + " " + kind + " @" + offsetBytes + "+" + lengthBytes;
        }
    }

    private final long seed;

    CrashOps(long seed) {
        this.seed = seed;
    }

    Op op(int index) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
        int p = r.nextInt(100);
        if (p < 5) {
            return new Op(index, Kind.FLUSH, 0, 0, null);
        }
        if (p < 17) {
            // block-aligned unmaps up to 128 blocks (larger than the child's inline limit: pending ranges), or sector-aligned ones
            boolean aligned = r.nextBoolean();
            int unit = aligned ? BLOCK : SECTOR;
            int units = aligned ? 1 + r.nextInt(128) : 1 + r.nextInt(1024);
            long offset = (long) r.nextInt((int) (VOLUME_BYTES / unit) - units + 1) * unit;
            return new Op(index, Kind.UNMAP, offset, units * unit, null);
        }
        if (p < 37) {
            int sectors = 1 + r.nextInt(24);
            long offset = (long) r.nextInt(VOLUME_SECTORS - sectors + 1) * SECTOR;
            byte[] data = new byte[sectors * SECTOR];
            r.nextBytes(data);
            return new Op(index, Kind.WRITE, offset, data.length, data);
        }
        // mostly up to 64 blocks; some of 128-256, which commit in pipelined sub-batches, the last one write-behind
        int blocks = p < 43 ? 128 + r.nextInt(129) : 1 + r.nextInt(64);
        long offset = (long) r.nextInt(VOLUME_BLOCKS - blocks + 1) * BLOCK;
        byte[] data = new byte[blocks * BLOCK];
        for (int b = 0; b < blocks; b++) {
            fillBlock(r, data, b * BLOCK);
        }
        return new Op(index, Kind.WRITE, offset, data.length, data);
    }

    /** Random, compressible, one of the shared templates (dedup), or zeros. */
    private static void fillBlock(SplittableRandom r, byte[] data, int at) {
        int p = r.nextInt(100);
        if (p < 35) {
            byte[] one = new byte[BLOCK];
            r.nextBytes(one);
            System.arraycopy(one, 0, data, at, BLOCK);
        } else if (p < 60) {
            for (int i = 0; i < BLOCK; i++) {
                data[at + i] = (i / 64) % 2 == 0 ? (byte) r.nextInt(256) : (byte) ('a' + (i % 7));
            }
        } else if (p < 92) {
            System.arraycopy(template(r.nextInt(TEMPLATES)), 0, data, at, BLOCK);
        }
        // else: zeros, which the engine maps to no extent at all
    }

    private static byte[] template(int k) {
        byte[] b = new byte[BLOCK];
        new SplittableRandom(0x7E3A_0000L + k).nextBytes(b);
        return b;
    }
}
