package io.tamp.mgmt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher as a user meets it: a separate JVM, exit codes, what lands on stdout and stderr. */
class LauncherProcessTest {
    @TempDir
    Path tmp;

    @Test
    void unknownSubcommandExitsTwoWithUsage() throws Exception {
        Cli.Result r = ChildJvm.run(tmp, "qqqqqqqqqq");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().startsWith("Unmatched argument at index 0: 'qqqqqqqqqq'"), r.toString());
        assertTrue(r.err().contains("Usage: tamp") && r.err().contains("fsck"), r.toString());
        assertEquals("", r.out(), r.toString());
    }

    /** picocli offers the nearest subcommand instead of the whole usage when one is close. */
    @Test
    void mistypedSubcommandExitsTwoWithSuggestion() throws Exception {
        Cli.Result r = ChildJvm.run(tmp, "fsk", "--pool", tmp.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("Did you mean: tamp fsck?"), r.toString());
    }

    @Test
    void importWithoutVolumeExitsTwo() throws Exception {
        Path f = Files.write(tmp.resolve("f"), new byte[4096]);
        Cli.Result r = ChildJvm.run(tmp, "import", "--pool", tmp.resolve("pool").toString(), f.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("Missing required option: '--volume=<volumeName>'"), r.toString());
        assertTrue(Files.notExists(tmp.resolve("pool")), "a rejected command line must not create a pool");
    }

    @Test
    void plainHttpOffLoopbackIsRefusedBeforeAnythingStarts() throws Exception {
        Path pool = tmp.resolve("pool");
        Cli.Result r = ChildJvm.run(tmp, "serve", "--data", pool.toString(), "--bind", "127.0.0.1",
                "--iscsi-port", "0", "--nvme-port", "0", "--http-port", "0", "--http-bind", "0.0.0.0", "--http-insecure");
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("tamp serve: --http-insecure serves passwords and tokens in clear text"), r.toString());
        assertTrue(Files.notExists(pool), "a refused start must not create a pool");
    }

    @Test
    void fsckOfMissingPoolExitsOneWithOneLine() throws Exception {
        Cli.Result r = ChildJvm.run(tmp, "fsck", "--pool", "/nonexistent/tamp-pool");
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals(1, r.err().lines().count(), "want exactly one line on stderr: " + r);
        assertTrue(r.err().startsWith("tamp fsck: no pool at /nonexistent/tamp-pool"), r.toString());
        assertEquals("", r.out(), r.toString());
    }

    @Test
    void estimatePrintsJsonOnStdoutOnly() throws Exception {
        byte[] b = new byte[5 * 4096 + 100];
        for (int i = 4096; i < b.length; i++) {
            b[i] = (byte) (i / 4096 == 3 ? 'x' : 'a' + i % 4096 % 7); // blocks 1, 2, 4 equal; 3 different; 5 partial
        }
        Path f = Files.write(tmp.resolve("f"), b);
        Cli.Result r = ChildJvm.run(tmp, "estimate", f.toString());
        assertEquals(0, r.exitCode(), r.toString());
        var json = Cli.parse(r.out());
        assertEquals(6, json.get("blocks").asLong(), r.toString());
        assertEquals(1, json.get("zero_blocks").asLong(), r.toString());
        assertEquals(3, json.get("unique_blocks").asLong(), r.toString());
        assertEquals(5 * 4096, json.get("logical_used").asLong(), r.toString());
    }
}
