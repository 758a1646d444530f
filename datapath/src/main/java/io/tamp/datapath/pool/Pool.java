package io.tamp.datapath.pool;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One or more devices whose space is handed out in fixed-size segments.
 *
 * <p>Each device starts with a {@link #DATA_START_BYTES} reserved region whose first 4096
 * bytes are its {@link Superblock}; segments follow, striped across devices (see
 * {@link PoolLayout}). All I/O is 4096-aligned in offset, length and buffer address so
 * that it can go through O_DIRECT; reads and writes are positional and may run from many
 * threads at once on different ranges.
 */
public final class Pool implements Closeable {
    public static final long DATA_START_BYTES = 1L << 20;
    public static final int IO_ALIGNMENT_BYTES = 4096;
    public static final int MIN_SEGMENT_BYTES = 64 << 10;
    public static final int MAX_SEGMENT_BYTES = 1 << 30;

    private final UUID poolUuid;
    private final PoolLayout layout;
    private final PoolDevice[] devices;
    private final boolean directIo;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Pool(UUID poolUuid, PoolLayout layout, PoolDevice[] devices) {
        this.poolUuid = poolUuid;
        this.layout = layout;
        this.devices = devices;
        boolean allDirect = true;
        for (PoolDevice device : devices) {
            allDirect &= device.directIo();
        }
        this.directIo = allDirect;
    }

    /**
     * Creates the device files if absent (sparse, {@code deviceBytes} each), writes a
     * superblock on each, and returns the open pool. Fails with {@link PoolException} if a
     * device already carries a superblock; nothing is written unless every device is usable.
     */
    public static Pool create(List<Path> devices, long deviceBytes, int segmentBytes) throws IOException {
        return create(devices, deviceBytes, segmentBytes, Clock.systemUTC());
    }

    /** {@link #create(List, long, int)} with the clock that stamps the superblocks. */
    public static Pool create(List<Path> devices, long deviceBytes, int segmentBytes, Clock clock)
            throws IOException {
        return create(devices, deviceBytes, segmentBytes, clock, true);
    }

    static Pool create(List<Path> devices, long deviceBytes, int segmentBytes, Clock clock, boolean tryDirect)
            throws IOException {
        Path duplicate = firstDuplicate(devices);
        if (duplicate != null) {
            throw new IllegalArgumentException("device " + duplicate + " is listed twice");
        }
        PoolLayout layout = new PoolLayout(segmentBytes, deviceBytes, devices.size());
        UUID poolUuid = UUID.randomUUID();
        PoolDevice[] opened = PoolFormatter.format(devices, layout, poolUuid, clock.millis(), tryDirect);
        return new Pool(poolUuid, layout, opened);
    }

    /**
     * Opens the devices of an existing pool, in any order: each superblock's device index
     * decides. Every superblock is validated; on failure nothing has been written.
     */
    public static Pool open(List<Path> devices) throws IOException {
        return open(devices, true);
    }

    static Pool open(List<Path> paths, boolean tryDirect) throws IOException {
        Path duplicate = firstDuplicate(paths);
        if (duplicate != null) {
            throw PoolException.device(duplicate, "listed twice");
        }
        List<PoolDevice> opened = new ArrayList<>(paths.size());
        List<Superblock> superblocks = new ArrayList<>(paths.size());
        try {
            for (Path path : paths) {
                if (!Files.exists(path)) {
                    throw PoolException.device(path, "device file does not exist");
                }
                if (Files.isRegularFile(path) && Files.size(path) < Superblock.SIZE_BYTES) {
                    throw PoolException.device(path, "not a Tamp pool device (" + Files.size(path)
                            + " bytes, shorter than a " + Superblock.SIZE_BYTES + "-byte superblock)");
                }
                ByteBuffer raw = allocateAligned(Superblock.SIZE_BYTES);
                PoolDevice device = PoolDevice.open(path, tryDirect, channel -> readSuperblock(path, channel, raw));
                opened.add(device);
                Superblock superblock = new Superblock().wrap(raw.clear());
                SuperblockChecks.checkDevice(path, superblock, device.sizeBytes());
                superblocks.add(superblock);
            }
            PoolDevice[] ordered = SuperblockChecks.assemble(opened, superblocks);
            Superblock first = superblocks.get(0);
            PoolLayout layout = new PoolLayout(first.segmentBytes(), first.deviceBytes(), first.deviceCount());
            return new Pool(first.poolUuid(), layout, ordered);
        } catch (IOException | RuntimeException e) {
            for (PoolDevice device : opened) {
                try {
                    device.close();
                } catch (IOException closeFailure) {
                    e.addSuppressed(closeFailure);
                }
            }
            throw e;
        }
    }

    private static void readSuperblock(Path path, FileChannel channel, ByteBuffer raw)
            throws IOException {
        try {
            PoolDevice.readFully(channel, raw.clear(), 0);
        } catch (EOFException e) {
            throw PoolException.device(path, "not a Tamp pool device (shorter than a "
                    + Superblock.SIZE_BYTES + "-byte superblock)", e);
        }
    }

    /** Rejects an empty list; returns the first path listed twice, or null. */
    private static Path firstDuplicate(List<Path> devices) {
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("a pool needs at least one device");
        }
        Set<Path> seen = new HashSet<>();
        for (Path device : devices) {
            if (!seen.add(Objects.requireNonNull(device, "device path").toAbsolutePath().normalize())) {
                return device;
            }
        }
        return null;
    }

    /** A direct buffer of exactly {@code bytes} bytes whose address is {@link #IO_ALIGNMENT_BYTES}-aligned. */
    public static ByteBuffer allocateAligned(int bytes) {
        // alignedSlice rounds its capacity down to whole units, so reserve whole units plus one.
        int roundedBytes = Math.addExact(bytes, IO_ALIGNMENT_BYTES - 1) & -IO_ALIGNMENT_BYTES;
        return ByteBuffer.allocateDirect(roundedBytes + IO_ALIGNMENT_BYTES).alignedSlice(IO_ALIGNMENT_BYTES)
                .limit(bytes).slice();
    }

    public UUID poolUuid() {
        return poolUuid;
    }

    public int segmentBytes() {
        return layout.segmentBytes();
    }

    /** Total segments across devices. */
    public int segmentCount() {
        return layout.segmentCount();
    }

    public int deviceCount() {
        return devices.length;
    }

    /** Bytes per device as recorded in the superblocks; the device may be larger. */
    public long deviceBytes() {
        return layout.deviceBytes();
    }

    /** True when every device was opened with O_DIRECT. */
    public boolean directIo() {
        return directIo;
    }

    /** The device path that holds {@code segment}, for diagnostics. */
    public Path devicePathOf(int segment) {
        checkSegment(segment);
        return devices[layout.deviceOf(segment)].path();
    }

    /** Device by index, for tests that look beneath the alignment checks. */
    PoolDevice device(int index) {
        return devices[index];
    }

    /**
     * Writes {@code src}'s remaining bytes at {@code offsetInSegment} of {@code segment}.
     * Offset and length must be multiples of 4096 and stay inside the segment; {@code src}
     * must be direct with a 4096-aligned address at its position.
     */
    public void write(int segment, int offsetInSegment, ByteBuffer src) throws IOException {
        checkIo(segment, offsetInSegment, src);
        devices[layout.deviceOf(segment)].write(src, layout.deviceOffsetBytes(segment, offsetInSegment));
    }

    /** Reads {@code dst.remaining()} bytes; same rules as {@link #write}. */
    public void read(int segment, int offsetInSegment, ByteBuffer dst) throws IOException {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("read into a read-only buffer");
        }
        checkIo(segment, offsetInSegment, dst);
        devices[layout.deviceOf(segment)].read(dst, layout.deviceOffsetBytes(segment, offsetInSegment));
    }

    /**
     * Makes every completed write durable: fdatasync on every device, needed with O_DIRECT
     * too since sparse-file allocation is metadata. Tries every device before failing.
     */
    public void sync() throws IOException {
        IOException failure = null;
        for (PoolDevice device : devices) {
            try {
                device.sync();
            } catch (IOException e) {
                if (failure == null) {
                    failure = PoolException.device(device.path(), "sync failed: " + e, e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Closes every device; does not sync. Idempotent. */
    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        IOException failure = null;
        for (PoolDevice device : devices) {
            try {
                device.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void checkSegment(int segment) {
        if (segment < 0 || segment >= layout.segmentCount()) {
            throw new IllegalArgumentException("segment " + segment + " outside [0, " + layout.segmentCount() + ")");
        }
    }

    private void checkIo(int segment, int offsetInSegment, ByteBuffer buffer) {
        checkSegment(segment);
        int lengthBytes = buffer.remaining();
        if (offsetInSegment < 0 || offsetInSegment % IO_ALIGNMENT_BYTES != 0) {
            throw new IllegalArgumentException("offset " + offsetInSegment + " in segment is not a non-negative "
                    + "multiple of " + IO_ALIGNMENT_BYTES);
        }
        if (lengthBytes % IO_ALIGNMENT_BYTES != 0) {
            throw new IllegalArgumentException("length " + lengthBytes + " is not a multiple of "
                    + IO_ALIGNMENT_BYTES);
        }
        if ((long) offsetInSegment + lengthBytes > layout.segmentBytes()) {
            throw new IllegalArgumentException("range [" + offsetInSegment + ", " + ((long) offsetInSegment
                    + lengthBytes) + ") runs past the end of a " + layout.segmentBytes() + "-byte segment");
        }
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("buffer must be direct (use Pool.allocateAligned)");
        }
        if (buffer.alignmentOffset(buffer.position(), IO_ALIGNMENT_BYTES) != 0) {
            throw new IllegalArgumentException("buffer address at position " + buffer.position()
                    + " is not " + IO_ALIGNMENT_BYTES + "-aligned (use Pool.allocateAligned)");
        }
    }

    @Override
    public String toString() {
        return "Pool[" + poolUuid + ", " + devices.length + " devices, " + layout.segmentCount() + " segments of "
                + layout.segmentBytes() + " bytes, " + (directIo ? "O_DIRECT" : "buffered") + "]";
    }
}
