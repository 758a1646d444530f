package io.tamp.mgmt.cli;

import io.tamp.datapath.volume.Engine;
import io.tamp.datapath.volume.IoStatus;
import io.tamp.datapath.volume.Volume;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Writes files one after another into a volume through the full engine, each starting on a 4 KiB
 * boundary, then prints the pool's space report as JSON.
 */
@Command(name = "import", description = "Write files sequentially into a volume and print the space report.")
public final class ImportCommand implements Callable<Integer> {
    static final int CHUNK = 1 << 20;

    @Mixin
    PoolOptions pool;

    @Option(names = "--volume", required = true, description = "volume name (created, or grown, as needed)")
    String volumeName;

    @Option(names = "--verify", description = "read everything back and compare with the files")
    boolean verify;

    @Parameters(arity = "1..*", paramLabel = "FILE")
    List<Path> files;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        long total = 0;
        for (Path f : files) {
            total += roundUp(Files.size(f));
        }
        PrintWriter err = spec.commandLine().getErr();
        try (Engine engine = Engine.open(pool.config(false))) {
            Volume v = engine.volume(volumeName);
            if (v == null) {
                v = engine.createVolume(volumeName, Math.max(total, Volume.BLOCK));
            } else if (v.sizeBytes() < total) {
                engine.resizeVolume(v, total);
            }
            Progress progress = new Progress(err, engine, total);
            byte[] buf = new byte[CHUNK];
            long offset = 0;
            for (Path f : files) {
                try (InputStream in = Files.newInputStream(f)) {
                    int n;
                    while ((n = in.readNBytes(buf, 0, CHUNK)) > 0) {
                        int len = (int) roundUp(n);
                        Arrays.fill(buf, n, len, (byte) 0);
                        IoStatus s = v.write(offset, ByteBuffer.wrap(buf, 0, len), false);
                        if (!s.ok()) {
                            throw new IllegalStateException("write at byte " + offset + " of volume " + volumeName
                                    + " failed: " + s);
                        }
                        offset += len;
                        progress.update(offset);
                    }
                }
            }
            IoStatus s = engine.flush();
            if (!s.ok()) {
                throw new IllegalStateException("flush failed: " + s);
            }
            progress.done(offset);
            if (verify) {
                verify(v);
            }
            engine.settle(false);
            var report = Json.MAPPER.valueToTree(engine.space());
            ((com.fasterxml.jackson.databind.node.ObjectNode) report).set("volume",
                    Json.MAPPER.valueToTree(engine.volumeSpace(v)));
            spec.commandLine().getOut().println(Json.write(report));
            spec.commandLine().getOut().flush();
        }
        return 0;
    }

    private void verify(Volume v) throws Exception {
        byte[] expect = new byte[CHUNK];
        byte[] got = new byte[CHUNK];
        long offset = 0;
        for (Path f : files) {
            try (InputStream in = Files.newInputStream(f)) {
                int n;
                while ((n = in.readNBytes(expect, 0, CHUNK)) > 0) {
                    int len = (int) roundUp(n);
                    Arrays.fill(expect, n, len, (byte) 0);
                    IoStatus s = v.read(offset, ByteBuffer.wrap(got, 0, len));
                    if (!s.ok() || !Arrays.equals(expect, 0, len, got, 0, len)) {
                        throw new IllegalStateException("verify failed in " + f + " near volume byte " + offset
                                + (s.ok() ? ": data differs" : ": " + s));
                    }
                    offset += len;
                }
            }
        }
        spec.commandLine().getErr().println("verify: " + offset + " bytes match");
    }

    static long roundUp(long n) {
        return (n + Volume.BLOCK - 1) / Volume.BLOCK * Volume.BLOCK;
    }

    /** A progress line on a terminal: bytes, MB/s, running data-reduction ratio. */
    private static final class Progress {
        private final PrintWriter err;
        private final Engine engine;
        private final long total;
        private final long start = System.nanoTime();
        private final boolean terminal = System.console() != null;
        private long lastPrint;

        Progress(PrintWriter err, Engine engine, long total) {
            this.err = err;
            this.engine = engine;
            this.total = total;
        }

        void update(long done) {
            long now = System.nanoTime();
            if (terminal && now - lastPrint > 200_000_000L) {
                lastPrint = now;
                err.print("\r" + line(done, now));
                err.flush();
            }
        }

        void done(long done) {
            err.println((terminal ? "\r" : "") + line(done, System.nanoTime()));
            err.flush();
        }

        private String line(long done, long now) {
            double secs = Math.max(1e-9, (now - start) / 1e9);
            var s = engine.space();
            return String.format("%,d / %,d bytes  %.1f MB/s  DRR %.2f:1", done, total, done / secs / 1e6,
                    s.dataReductionRatio());
        }
    }
}
