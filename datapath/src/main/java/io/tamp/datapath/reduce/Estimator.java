package io.tamp.datapath.reduce;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.HashSet;

/**
 * What the engine would store for a stream of data, without storing it: the same zero detection,
 * fingerprints and per-block LZ4 decision as {@link Reducer}, summed. A final partial block is
 * padded with zeros, exactly as {@code import} writes it.
 */
public final class Estimator {
    private final Reducer reducer = new Reducer();
    private final byte[] scratch = reducer.scratch();
    private final HashSet<ByteBuffer> seen = new HashSet<>();
    private final byte[] block = new byte[Reducer.BLOCK_BYTES];
    private long blocks;
    private long zeroBlocks;
    private long uniqueBlocks;
    private long storedBytes;

    /** Consumes one whole stream (one file); block boundaries restart at its beginning. */
    public void add(InputStream in) throws IOException {
        while (true) {
            int n = in.readNBytes(block, 0, block.length);
            if (n == 0) {
                return;
            }
            java.util.Arrays.fill(block, n, block.length, (byte) 0);
            addBlock(block, 0);
            if (n < block.length) {
                return;
            }
        }
    }

    public void addBlock(byte[] b, int off) {
        blocks++;
        if (Reducer.isZero(b, off)) {
            zeroBlocks++;
            return;
        }
        byte[] fp = new byte[ReducedBlock.FINGERPRINT_BYTES];
        reducer.fingerprint(b, off, fp);
        if (seen.add(ByteBuffer.wrap(fp))) {
            uniqueBlocks++;
            storedBytes += reducer.storedLength(b, off, scratch);
        }
    }

    /** Logical bytes of non-zero blocks, the figure logical_used reports after import. */
    public long logicalBytes() {
        return (blocks - zeroBlocks) * Reducer.BLOCK_BYTES;
    }

    public long blocks() {
        return blocks;
    }

    public long zeroBlocks() {
        return zeroBlocks;
    }

    public long uniqueBlocks() {
        return uniqueBlocks;
    }

    /** Bytes the unique blocks take after per-block LZ4: the bound import must come within 3% of. */
    public long storedBytes() {
        return storedBytes;
    }

    public double dedupRatio() {
        return ratio(logicalBytes(), uniqueBlocks * Reducer.BLOCK_BYTES);
    }

    public double compressionRatio() {
        return ratio(uniqueBlocks * Reducer.BLOCK_BYTES, storedBytes);
    }

    public double dataReductionRatio() {
        return ratio(logicalBytes(), storedBytes);
    }

    private static double ratio(long a, long b) {
        return a == 0 || b == 0 ? 1.0 : (double) a / b;
    }
}
