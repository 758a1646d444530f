package io.tamp.datapath.volume;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The child JVM of {@link CrashTest}: runs the op stream of a seed against the pool until it is
 * killed. The journal says how far it got: "READY" once the engine is open, "OP i" before op i
 * starts (a plain write, which outlives the process), "FLUSHED i" fsynced once the flush op i
 * returned OK, i.e. every op before i is durable.
 *
 * <p>Usage: {@code CrashWriter <dir> <seed> <journal> <background>}
 */
public final class CrashWriter {
    private static final int MAX_RETRIES = 5_000;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        CrashOps ops = new CrashOps(Long.parseLong(args[1]));
        boolean background = Boolean.parseBoolean(args[3]);
        EngineConfig config = CrashTest.config(dir)
                .withBackground(background).withFlushIntervalMs(background ? 50 : 0);
        try (FileChannel journal = FileChannel.open(Path.of(args[2]), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            Engine engine = Engine.open(config);
            Volume v = engine.volume(CrashOps.VOLUME);
            if (v == null) {
                v = engine.createVolume(CrashOps.VOLUME, CrashOps.VOLUME_BYTES);
                // creating a volume is not durable by itself: make it so, or a kill could lose the volume
                if (!engine.flush().ok()) {
                    throw new IllegalStateException("flush after creating the volume failed");
                }
            }
            append(journal, "READY");
            journal.force(false);
            for (int i = 0; ; i++) {
                CrashOps.Op op = ops.op(i);
                append(journal, "OP " + i);
                run(engine, v, op, background);
                if (op.kind() == CrashOps.Kind.FLUSH) {
                    append(journal, "FLUSHED " + i);
                    journal.force(false);
                }
            }
        }
    }

    /** Runs op until OK; every op is idempotent, so retrying after NO_SPACE (even a partial one) is safe. */
    private static void run(Engine engine, Volume v, CrashOps.Op op, boolean background) throws Exception {
        for (int attempt = 0; attempt < MAX_RETRIES; attempt++) {
            IoStatus s = switch (op.kind()) {
                case WRITE -> v.write(op.offsetBytes(), op.data(), false);
                case UNMAP -> v.unmap(op.offsetBytes(), op.lengthBytes());
                case FLUSH -> engine.flush();
            };
            if (s.ok()) {
                return;
            }
            if (s != IoStatus.NO_SPACE) {
                throw new IllegalStateException(op + " failed: " + s);
            }
            if (background) {
                Thread.sleep(5);
            } else {
                engine.settle(false);
            }
        }
        throw new IllegalStateException(op + " still NO_SPACE after " + MAX_RETRIES + " attempts");
    }

    private static void append(FileChannel journal, String line) throws IOException {
        ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII));
        while (b.hasRemaining()) {
            journal.write(b);
        }
    }
}
