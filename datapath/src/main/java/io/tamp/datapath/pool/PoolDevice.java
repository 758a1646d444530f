package io.tamp.datapath.pool;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open device: a {@link FileChannel} with O_DIRECT when the filesystem allows it, and
 * positional read/write loops. Positional I/O lets many threads share the channel.
 *
 * <p>With O_DIRECT, writes bypass the page cache but reads go through a second, buffered
 * channel: the kernel's page cache is the controller's DRAM read cache. It never holds dirty
 * data (nothing is written through it), a direct write invalidates the cached pages it
 * overwrites, and every extent read is checked against its CRC32C anyway.
 */
final class PoolDevice implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(PoolDevice.class);
    private static final AtomicBoolean INTERRUPTIBLE_WARNED = new AtomicBoolean();
    private static final long SECTOR_BYTES = 512;

    /** The first aligned I/O on a freshly opened channel; it decides whether O_DIRECT really works. */
    @FunctionalInterface
    interface Probe {
        void run(FileChannel channel) throws IOException;
    }

    private final Path path;
    private final FileChannel channel;
    /** Reads: the page-cache channel next to an O_DIRECT one, else the same channel. */
    private final FileChannel readChannel;
    private final boolean directIo;

    private PoolDevice(Path path, FileChannel channel, boolean directIo) throws IOException {
        this.path = path;
        this.channel = channel;
        this.directIo = directIo;
        FileChannel reads = channel;
        if (directIo) {
            try {
                reads = FileChannel.open(path, StandardOpenOption.READ);
                makeUninterruptible(reads);
            } catch (IOException e) {
                closeQuietly(channel, e);
                throw e;
            }
        }
        this.readChannel = reads;
    }

    /**
     * Opens {@code path} read-write, with O_DIRECT if {@code tryDirect} and the filesystem
     * accepts both the open and the probe; otherwise buffered. A {@link PoolException} from
     * the probe is a verdict about the device, not about O_DIRECT, and is rethrown as is.
     */
    static PoolDevice open(Path path, boolean tryDirect, Probe probe) throws IOException {
        if (tryDirect) {
            PoolDevice direct = tryDirect(path, probe);
            if (direct != null) {
                return direct;
            }
        }
        FileChannel channel = openChannel(path);
        try {
            probe.run(channel);
        } catch (PoolException e) {
            closeQuietly(channel, e);
            throw e;
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel, e);
            throw PoolException.device(path, "I/O error: " + e, e);
        }
        return new PoolDevice(path, channel, false);
    }

    private static PoolDevice tryDirect(Path path, Probe probe) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    ExtendedOpenOption.DIRECT);
        } catch (NoSuchFileException e) {
            throw PoolException.device(path, "device file does not exist", e);
        } catch (IOException | UnsupportedOperationException e) {
            logFallback(path, "open", e);
            return null;
        }
        try {
            probe.run(channel);
        } catch (PoolException e) {
            closeQuietly(channel, e);
            throw e;
        } catch (IOException | UnsupportedOperationException e) {
            closeQuietly(channel, e);
            logFallback(path, "first aligned I/O", e);
            return null;
        }
        makeUninterruptible(channel);
        return new PoolDevice(path, channel, true);
    }

    private static FileChannel openChannel(Path path) throws IOException {
        try {
            FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            makeUninterruptible(channel);
            return channel;
        } catch (NoSuchFileException e) {
            throw PoolException.device(path, "device file does not exist", e);
        } catch (IOException e) {
            throw PoolException.device(path, "cannot open for read and write: " + e, e);
        }
    }

    private static void logFallback(Path path, String stage, Exception e) {
        LOG.warn("device {}: O_DIRECT refused at {} ({}); falling back to buffered I/O with fdatasync",
                path, stage, e.toString());
    }

    /**
     * An interrupt during I/O on a plain FileChannel closes it for every thread. The JDK can
     * turn that off, but only through an internal method; without
     * {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED} we say so once and carry on.
     */
    private static void makeUninterruptible(FileChannel channel) {
        try {
            Method method = channel.getClass().getMethod("setUninterruptible");
            method.invoke(channel);
        } catch (ReflectiveOperationException | RuntimeException e) {
            if (INTERRUPTIBLE_WARNED.compareAndSet(false, true)) {
                LOG.warn("cannot make device channels uninterruptible ({}); an interrupted I/O thread will close "
                        + "its device. Run with --add-exports java.base/sun.nio.ch=ALL-UNNAMED", e.toString());
            }
        }
    }

    /** Reads until {@code dst} is full; the device must hold every byte. */
    static void readFully(FileChannel channel, ByteBuffer dst, long positionBytes) throws IOException {
        long position = positionBytes;
        while (dst.hasRemaining()) {
            int read = channel.read(dst, position);
            if (read < 0) {
                throw new EOFException("end of device at byte " + position + ", " + dst.remaining()
                        + " bytes short");
            }
            position += read;
        }
    }

    static void writeFully(FileChannel channel, ByteBuffer src, long positionBytes) throws IOException {
        long position = positionBytes;
        while (src.hasRemaining()) {
            position += channel.write(src, position);
        }
    }

    void read(ByteBuffer dst, long positionBytes) throws IOException {
        readFully(readChannel, dst, positionBytes);
    }

    void write(ByteBuffer src, long positionBytes) throws IOException {
        writeFully(channel, src, positionBytes);
    }

    void sync() throws IOException {
        channel.force(false);
    }

    Path path() {
        return path;
    }

    boolean directIo() {
        return directIo;
    }

    /** Size in bytes; a block device reports 0 through fstat, so ask sysfs for it. */
    long sizeBytes() throws IOException {
        long size = channel.size();
        if (size == 0 && !Files.isRegularFile(path)) {
            Path sysfs = Path.of("/sys/class/block", path.toRealPath().getFileName().toString(), "size");
            if (Files.isReadable(sysfs)) {
                size = Long.parseLong(Files.readString(sysfs).trim()) * SECTOR_BYTES;
            }
        }
        return size;
    }

    @Override
    public void close() throws IOException {
        try {
            if (readChannel != channel) {
                readChannel.close();
            }
        } finally {
            channel.close();
        }
    }

    private static void closeQuietly(FileChannel channel, Exception cause) {
        try {
            channel.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}
