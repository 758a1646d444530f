package io.tamp.mgmt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve} in its own JVM: starts on a new pool, stops cleanly on SIGTERM, leaves a consistent pool. */
class ServeProcessTest {
    private static final long START_TIMEOUT_SECONDS = 120;
    private static final long STOP_TIMEOUT_SECONDS = 60;
    /** How the JVM reports an exit by SIGTERM: 128 + 15. */
    private static final int EXIT_SIGTERM = 143;

    @TempDir
    Path tmp;

    @Test
    void servesUntilSigtermThenShutsDownCleanly() throws Exception {
        Path data = tmp.resolve("data");
        Process p = ChildJvm.command("serve", "--data", data.toString(), "--devices", "2", "--device-gib", "1",
                        "--bind", "127.0.0.1", "--iscsi-port", "0", "--nvme-port", "0", "--http-port", "0")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        StringBuilder log = new StringBuilder();
        try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            // one reader at a time: the JDK swaps a dead process's pipe under a concurrent reader
            Thread untilServing = new Thread(() -> readUntil(err, "tamp serving", log), "serve-log");
            untilServing.start();
            untilServing.join(TimeUnit.SECONDS.toMillis(START_TIMEOUT_SECONDS));
            assertFalse(untilServing.isAlive(), "serve did not say 'tamp serving' in time:\n" + snapshot(log));
            assertTrue(log.toString().contains("tamp serving"), "serve ended before serving:\n" + log);
            assertTrue(p.isAlive(), "serve exited after starting:\n" + log);
            checkHttpsApi(data, snapshot(log));

            // SIGTERM through the handle: Process.destroy() would also close our end of the log pipe
            assertTrue(p.toHandle().destroy(), "could not send SIGTERM");
            assertTrue(p.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS), "serve ignored SIGTERM:\n" + log);
            readUntil(err, null, log);
            int code = p.exitValue();
            assertTrue(code == 0 || code == EXIT_SIGTERM, "exit " + code + " after SIGTERM:\n" + log);
            assertTrue(log.toString().contains("shutting down"), log.toString());
            assertFalse(log.toString().contains("clean shutdown failed"), log.toString());
        } finally {
            p.destroyForcibly();
            p.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }

        Cli.Result fsck = ChildJvm.run(tmp, "fsck", "--pool", data.toString());
        assertEquals(0, fsck.exitCode(), fsck.toString());
        assertTrue(fsck.out().strip().endsWith("clean"), fsck.toString());
        // the engine logs "clean shutdown" or "unclean shutdown" when it opens the pool
        assertTrue(fsck.err().contains(" clean shutdown") && !fsck.err().contains("unclean"),
                "the pool was not marked cleanly shut down:\n" + fsck);
    }

    /**
     * First start: the API serves HTTPS with a generated self-signed certificate that a client can
     * pin, the admin password was generated into a 0600 file, and plain HTTP to that port gets no API.
     */
    private static void checkHttpsApi(Path data, String log) throws Exception {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("management API https://127\\.0\\.0\\.1:(\\d+)/api/v1")
                .matcher(log);
        assertTrue(m.find(), "no HTTPS API in the log:\n" + log);
        String url = "https://127.0.0.1:" + m.group(1);
        Path pw = data.resolve("initial-admin-password");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                java.nio.file.Files.getPosixFilePermissions(pw)));
        assertTrue(log.contains(pw.toAbsolutePath().toString()), "the log names the password file:\n" + log);
        assertFalse(log.contains(java.nio.file.Files.readString(pw).strip()), "the log never holds the password");
        io.tamp.mgmt.client.TampClient client = new io.tamp.mgmt.client.TampClient(url,
                data.resolve("tls").resolve("server.crt"), false);
        client.login("admin", java.nio.file.Files.readString(pw).strip());
        assertEquals("ok", client.get("/api/v1/appliance").get("health").asText());
        io.tamp.mgmt.client.TampClient untrusting = new io.tamp.mgmt.client.TampClient(url, null, false);
        io.tamp.mgmt.client.TampClient.ApiError e = org.junit.jupiter.api.Assertions.assertThrows(
                io.tamp.mgmt.client.TampClient.ApiError.class, () -> untrusting.get("/api/v1/health"));
        assertEquals(0, e.status(), "a self-signed certificate is not trusted unless pinned");
        io.tamp.mgmt.client.TampClient plain = new io.tamp.mgmt.client.TampClient(url.replace("https", "http"), null, false);
        assertThrows(io.tamp.mgmt.client.TampClient.ApiError.class, () -> plain.get("/api/v1/health"));
    }

    /** Appends lines to log until one contains marker (null: until the end of the stream). */
    private static void readUntil(BufferedReader in, String marker, StringBuilder log) {
        try {
            for (String line; (line = in.readLine()) != null; ) {
                synchronized (log) {
                    log.append(line).append('\n');
                }
                if (marker != null && line.contains(marker)) {
                    return;
                }
            }
        } catch (IOException e) {
            synchronized (log) {
                log.append("[reading the log failed: ").append(e).append("]\n");
            }
        }
    }

    private static String snapshot(StringBuilder log) {
        synchronized (log) {
            return log.toString();
        }
    }
}
