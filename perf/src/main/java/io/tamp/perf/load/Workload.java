package io.tamp.perf.load;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a run does: read or write, random or sequential offsets aligned to the block size within
 * the first {@code rangeBytes} of the device, and the data written. Sequential offsets come from
 * one cursor shared by all queues; with {@code once} the run ends after one pass over the range.
 *
 * <p>Write data: {@code random} fills every block with fresh bytes from the queue's PRNG
 * (incompressible, never a duplicate: the worst case for inline dedup and compression);
 * {@code dedup50} makes half the blocks copies of one of {@value #POOL_BLOCKS} random blocks
 * chosen at start (so they dedupe once the pool has been written), the other half fresh.
 */
final class Workload {
    static final int POOL_BLOCKS = 1024;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    final boolean write;
    final boolean random;
    final int bs;
    final long rangeBytes;
    final long blocks;
    final boolean once;
    final String data;
    private final AtomicLong cursor = new AtomicLong();
    private final byte[][] pool;

    Workload(String rw, int bs, long rangeBytes, boolean once, String data, long seed) {
        switch (rw) {
            case "randread" -> { write = false; random = true; }
            case "randwrite" -> { write = true; random = true; }
            case "read" -> { write = false; random = false; }
            case "write" -> { write = true; random = false; }
            default -> throw new IllegalArgumentException("--rw randread|randwrite|read|write, not " + rw);
        }
        if (bs <= 0 || bs % 512 != 0) {
            throw new IllegalArgumentException("--bs must be a multiple of 512");
        }
        if (once && random) {
            throw new IllegalArgumentException("--once needs --rw read or write");
        }
        this.bs = bs;
        this.blocks = rangeBytes / bs;
        if (blocks < 1) {
            throw new IllegalArgumentException("--range-mib smaller than one block");
        }
        this.rangeBytes = blocks * bs;
        this.once = once;
        this.data = data;
        if (data.equals("dedup50")) {
            SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
            pool = new byte[POOL_BLOCKS][bs];
            for (byte[] b : pool) {
                fillRandom(b, r);
            }
        } else if (data.equals("random")) {
            pool = null;
        } else {
            throw new IllegalArgumentException("--data random|dedup50, not " + data);
        }
    }

    /** The byte offset of the next command, or -1 when a single pass is over. */
    long next(SplittableRandom r) {
        if (random) {
            return r.nextLong(blocks) * bs;
        }
        long i = cursor.getAndIncrement();
        if (once) {
            return i < blocks ? i * bs : -1;
        }
        return (i % blocks) * bs;
    }

    void fill(byte[] b, SplittableRandom r) {
        if (pool != null && r.nextBoolean()) {
            System.arraycopy(pool[r.nextInt(POOL_BLOCKS)], 0, b, 0, bs);
        } else {
            fillRandom(b, r);
        }
    }

    static void fillRandom(byte[] b, SplittableRandom r) {
        int n = b.length & ~7;
        for (int i = 0; i < n; i += 8) {
            LONGS.set(b, i, r.nextLong());
        }
        for (int i = n; i < b.length; i++) {
            b[i] = (byte) r.nextInt();
        }
    }
}
