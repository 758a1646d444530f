package io.tamp.mgmt.cli;

import io.tamp.datapath.volume.Engine;
import io.tamp.datapath.volume.IoStatus;
import io.tamp.datapath.volume.Volume;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Reads a volume (or its first --length bytes) back into a file; --verify compares with the file instead. */
@Command(name = "export", description = "Read a volume back into a file (or compare with one, --verify).")
public final class ExportCommand implements Callable<Integer> {
    @Mixin
    PoolOptions pool;

    @Option(names = "--volume", required = true)
    String volumeName;

    @Option(names = "--length", description = "bytes to export (default: the whole volume)")
    Long length;

    @Option(names = "--verify", description = "compare the volume with FILE instead of writing it")
    boolean verify;

    @Parameters(index = "0", paramLabel = "FILE")
    Path file;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        pool.requireExisting();
        try (Engine engine = Engine.open(pool.config(false))) {
            Volume v = engine.volume(volumeName);
            if (v == null) {
                throw new IllegalArgumentException("no volume '" + volumeName + "' in " + pool.dir);
            }
            long len = verify && length == null ? Files.size(file) : length == null ? v.sizeBytes() : length;
            if (len < 0 || len > v.sizeBytes()) {
                throw new IllegalArgumentException("length " + len + " outside the volume's " + v.sizeBytes() + " bytes");
            }
            byte[] buf = new byte[ImportCommand.CHUNK];
            byte[] other = new byte[ImportCommand.CHUNK];
            try (OutputStream out = verify ? null : Files.newOutputStream(file);
                 var in = verify ? Files.newInputStream(file) : null) {
                for (long off = 0; off < len; off += buf.length) {
                    int n = (int) Math.min(buf.length, len - off);
                    int aligned = (int) ImportCommand.roundUp(n);
                    IoStatus s = v.read(off, ByteBuffer.wrap(buf, 0, Math.min(aligned, (int) (v.sizeBytes() - off))));
                    if (!s.ok()) {
                        throw new IllegalStateException("read at byte " + off + " failed: " + s);
                    }
                    if (verify) {
                        int m = in.readNBytes(other, 0, n);
                        if (m != n || !Arrays.equals(buf, 0, n, other, 0, n)) {
                            spec.commandLine().getErr().println("verify: differs in the chunk at byte " + off);
                            return 1;
                        }
                    } else {
                        out.write(buf, 0, n);
                    }
                }
            }
            spec.commandLine().getErr().println((verify ? "verify: match, " : "exported ") + len + " bytes");
        }
        return 0;
    }
}
