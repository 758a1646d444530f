package io.tamp.metadata.fingerprint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import net.openhft.chronicle.algo.hashing.LongHashFunction;

/**
 * Checks the self-bootstrapping header of a Chronicle Map file before Chronicle maps it.
 *
 * <p>Chronicle polls a header whose "not ready" bit is set for about a minute before failing,
 * and random bytes set it half the time; so an unusable file is refused here, at once.
 *
 * <pre>
 *  0                   8           12                          12 + headerBytes
 * +-------------------+-----------+-----------------------------+----------------
 * | XXH64 (r39) of    | size word | header (Chronicle Wire)     | global state,
 * | size LE + header  | LE, bit 31| immutable map configuration | segments ...
 * |                   | = not ready                             |
 * +-------------------+-----------+-----------------------------+----------------
 * </pre>
 *
 * Layout from Chronicle Map's {@code spec/3-memory-layout.md} and {@code spec/5-initialization.md}.
 */
final class ChronicleHeaderCheck {

    static final int HASH_OFFSET = 0;
    static final int SIZE_WORD_OFFSET = 8;
    static final int HEADER_OFFSET = 12;
    static final int NOT_READY_BIT = 1 << 31;
    static final int LENGTH_MASK = (1 << 30) - 1;
    /** Our header is under 2 KiB; anything this large is not one of ours. */
    static final int MAX_HEADER_BYTES = 1 << 20;

    private ChronicleHeaderCheck() {
    }

    /** Throws an {@link IOException} naming the problem unless {@code file} starts with a complete, intact header. */
    static void check(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileBytes = ch.size();
            ByteBuffer prefix = readFully(ch, 0, HEADER_OFFSET, file);
            long storedHash = prefix.getLong(HASH_OFFSET);
            int sizeWord = prefix.getInt(SIZE_WORD_OFFSET);
            if ((sizeWord & NOT_READY_BIT) != 0) {
                throw bad(file, "header marked incomplete (creation interrupted, or not a Chronicle Map)");
            }
            int headerBytes = sizeWord & LENGTH_MASK;
            if (headerBytes == 0 || headerBytes > MAX_HEADER_BYTES
                    || HEADER_OFFSET + (long) headerBytes > fileBytes) {
                throw bad(file, "implausible header length " + headerBytes + " in a file of " + fileBytes + " bytes");
            }
            // The hash covers the 4-byte length followed by the header itself.
            ByteBuffer hashed = ByteBuffer.allocate(4 + headerBytes).order(ByteOrder.LITTLE_ENDIAN);
            hashed.putInt(headerBytes).put(readFully(ch, HEADER_OFFSET, headerBytes, file));
            if (LongHashFunction.xx_r39().hashBytes(hashed.array()) != storedHash) {
                throw bad(file, "header checksum mismatch");
            }
        }
    }

    private static ByteBuffer readFully(FileChannel ch, long position, int bytes, Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        while (buf.hasRemaining()) {
            if (ch.read(buf, position + buf.position()) < 0) {
                throw bad(file, "file of " + ch.size() + " bytes is shorter than its header");
            }
        }
        return buf.flip();
    }

    private static IOException bad(Path file, String why) {
        return new IOException("not a fingerprint index, or corrupt: " + file + ": " + why);
    }
}
