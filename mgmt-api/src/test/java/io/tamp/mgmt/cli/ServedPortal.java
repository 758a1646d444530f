package io.tamp.mgmt.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code tamp serve} child process with an iSCSI portal on 127.0.0.1 and an ephemeral port,
 * its log collected; closing it sends SIGTERM (clean shutdown) and waits. Also runs the external
 * initiator tools the tests drive it with.
 */
final class ServedPortal implements AutoCloseable {
    static final String TARGET = "iqn.2026-11.io.tamp:controller";
    static final String ADMIN_PASSWORD = "served-portal-admin";

    private final Process serve;
    private final StringBuffer log = new StringBuffer();
    final int port;

    ServedPortal(Path data, int deviceGib, String... volumesAndMaps) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("serve", "--data", data.toString(), "--devices", "2",
                "--device-gib", Integer.toString(deviceGib), "--bind", "127.0.0.1", "--iscsi-port", "0", "--nvme-port", "0",
                "--http-port", "0", "--http-insecure"));
        args.addAll(List.of(volumesAndMaps));
        ProcessBuilder pb = ChildJvm.command(args.toArray(String[]::new)).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("TAMP_ADMIN_PASSWORD", ADMIN_PASSWORD);
        serve = pb.start();
        Thread drain = new Thread(this::copyLog, "serve-log");
        drain.setDaemon(true);
        drain.start();
        try {
            port = waitForPortal();
        } catch (Throwable t) {
            close();
            throw t;
        }
    }

    /** The URL of LUN {@code lun} for libiscsi's tools and qemu. */
    String lunUrl(int lun) {
        return "iscsi://127.0.0.1:" + port + "/" + TARGET + "/" + lun;
    }

    String log() {
        return log.toString();
    }

    @Override
    public void close() throws InterruptedException {
        serve.toHandle().destroy(); // SIGTERM
        if (!serve.waitFor(60, TimeUnit.SECONDS)) {
            serve.destroyForcibly();
            serve.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** The management API's base URL (plain HTTP on loopback), from serve's log. */
    String apiUrl() {
        Matcher m = Pattern.compile("management API (http://127\\.0\\.0\\.1:\\d+)/api/v1").matcher(log);
        assertTrue(m.find(), "serve logged no management API:\n" + log);
        return m.group(1);
    }

    /** The NVMe/TCP port serve logged. */
    int nvmePort() {
        Matcher m = Pattern.compile("NVMe/TCP port 127\\.0\\.0\\.1:(\\d+)").matcher(log);
        assertTrue(m.find(), "serve logged no NVMe/TCP port:\n" + log);
        return Integer.parseInt(m.group(1));
    }

    private int waitForPortal() throws InterruptedException {
        Pattern portal = Pattern.compile("iSCSI portal 127\\.0\\.0\\.1:(\\d+)");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            Matcher m = portal.matcher(log);
            if (m.find() && log.indexOf("tamp serving") >= 0) {
                return Integer.parseInt(m.group(1));
            }
            assertTrue(serve.isAlive(), "serve exited:\n" + log);
            Thread.sleep(50);
        }
        throw new AssertionError("serve did not open its iSCSI portal in time:\n" + log);
    }

    private void copyLog() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(serve.getErrorStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                log.append(line).append('\n');
            }
        } catch (IOException e) {
            log.append("[log read failed: ").append(e).append("]\n");
        }
    }

    record Run(int code, String out) {
        @Override
        public String toString() {
            return "exit " + code + ":\n" + out;
        }
    }

    /** Runs a tool to completion (at most {@code seconds}), stdout and stderr together. */
    static Run run(long seconds, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), String.join(" ", command) + " hung");
            return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }

    /** Fails, naming the package, when a tool the suite needs is missing (.ci/run installs them all). */
    static void requireTools(String debianPackages, String... tools) {
        for (String tool : tools) {
            boolean found = false;
            for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
                found |= !dir.isEmpty() && Files.isExecutable(Path.of(dir, tool));
            }
            assertTrue(found, tool + " is not installed: apt-get install " + debianPackages + " (.ci/run does)");
        }
    }
}
