package io.tamp.datapath.reduce;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * Inline reduction of 4 KiB blocks, in the order of the design: zero detection, SHA-256
 * fingerprint, LZ4 (kept only when it saves at least one 512-byte sector), CRC32C of the stored
 * bytes. One instance per thread: it owns its digest, compressor and CRC and is not thread-safe.
 */
public final class Reducer {
    public static final int BLOCK_BYTES = 4096;
    public static final int SECTOR_BYTES = 512;
    /** Compressed output larger than this is stored raw: it would not save a sector. */
    public static final int MAX_COMPRESSED_BYTES = BLOCK_BYTES - SECTOR_BYTES;

    private static final LZ4Factory LZ4 = LZ4Factory.fastestInstance();
    private static final ThreadLocal<Reducer> PER_THREAD = ThreadLocal.withInitial(Reducer::new);

    private final MessageDigest sha256;
    private final LZ4Compressor compressor = LZ4.fastCompressor();
    private final LZ4SafeDecompressor decompressor = LZ4.safeDecompressor();
    private final CRC32C crc = new CRC32C();
    private final int maxCompressed = compressor.maxCompressedLength(BLOCK_BYTES);

    public Reducer() {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    public static Reducer current() {
        return PER_THREAD.get();
    }

    public ReducedBlock newBlock() {
        return new ReducedBlock(Math.max(maxCompressed, BLOCK_BYTES));
    }

    /** Reduces block[off, off+4096) into out. */
    public void reduce(byte[] block, int off, ReducedBlock out) {
        out.zero = isZero(block, off);
        if (out.zero) {
            out.storedLength = 0;
            return;
        }
        fingerprint(block, off, out.fingerprint);
        int n = compressor.compress(block, off, BLOCK_BYTES, out.stored, 0, maxCompressed);
        if (n > MAX_COMPRESSED_BYTES) {
            System.arraycopy(block, off, out.stored, 0, BLOCK_BYTES);
            out.storedLength = BLOCK_BYTES;
            out.codec = Codec.RAW;
        } else {
            out.storedLength = n;
            out.codec = Codec.LZ4;
        }
        out.crc = crc32c(out.stored, 0, out.storedLength);
    }

    public void fingerprint(byte[] block, int off, byte[] fpOut) {
        sha256.update(block, off, BLOCK_BYTES);
        try {
            sha256.digest(fpOut, 0, ReducedBlock.FINGERPRINT_BYTES);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stored length the engine would use for this (non-zero) block: what {@code estimate} sums. */
    public int storedLength(byte[] block, int off, byte[] scratch) {
        int n = compressor.compress(block, off, BLOCK_BYTES, scratch, 0, maxCompressed);
        return n > MAX_COMPRESSED_BYTES ? BLOCK_BYTES : n;
    }

    public byte[] scratch() {
        return new byte[maxCompressed];
    }

    public int crc32c(byte[] b, int off, int len) {
        crc.reset();
        crc.update(b, off, len);
        return (int) crc.getValue();
    }

    /**
     * Decodes stored bytes into dst[dstOff, dstOff+4096). Returns false when the bytes do not decode
     * to exactly one block (corruption that slipped past the CRC).
     */
    public boolean decode(Codec codec, byte[] src, int srcOff, int srcLen, byte[] dst, int dstOff) {
        if (codec == Codec.RAW) {
            if (srcLen != BLOCK_BYTES) {
                return false;
            }
            System.arraycopy(src, srcOff, dst, dstOff, BLOCK_BYTES);
            return true;
        }
        if (codec != Codec.LZ4) {
            return false;
        }
        try {
            return decompressor.decompress(src, srcOff, srcLen, dst, dstOff, BLOCK_BYTES) == BLOCK_BYTES;
        } catch (LZ4Exception e) {
            return false;
        }
    }

    public static boolean isZero(byte[] b, int off) {
        // 8 bytes at a time through a long view would be faster; the JIT vectorizes this loop well enough
        for (int i = off, end = off + BLOCK_BYTES; i < end; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
