package io.tamp.mgmt.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tamp.datapath.volume.Engine;
import io.tamp.datapath.volume.EngineConfig;
import io.tamp.datapath.volume.VolumeSpace;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real initiators against {@code serve}: libiscsi's tools and qemu's iSCSI block driver log in to
 * the portal, see only what is mapped to them, and move data that reads back byte for byte and
 * deduplicates. CI installs libiscsi-bin, qemu-utils and qemu-block-extra; without them it is skipped.
 */
class ServeIscsiTest {
    private static final String TARGET = "iqn.2026-11.io.tamp:controller";
    /** The initiator name qemu's iSCSI driver uses unless told otherwise. */
    private static final String QEMU_IQN = "iqn.2008-11.org.linux-kvm";
    private static final String TOOLS_IQN = "iqn.2026-11.io.tamp.test:tools";
    private static final int FILE_BYTES = 4 << 20;

    @TempDir
    Path tmp;

    @Test
    void realInitiatorsWriteReadAndDeduplicateThroughTheIscsiPortal() throws Exception {
        assumeTrue(onPath("iscsi-inq") && onPath("iscsi-readcapacity16") && onPath("qemu-img") && onPath("qemu-io"),
                "needs libiscsi-bin, qemu-utils and qemu-block-extra (.ci/run installs them)");
        Path data = tmp.resolve("data");
        Process serve = ChildJvm.command("serve", "--data", data.toString(), "--devices", "2", "--device-gib", "1",
                        "--bind", "127.0.0.1", "--iscsi-port", "0", "--volume", "v1:64M",
                        "--map", "v1:" + QEMU_IQN + ":0", "--map", "v1:" + TOOLS_IQN + ":0")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        StringBuffer log = new StringBuffer();
        Thread drain = new Thread(() -> copyLines(serve, log), "serve-log");
        drain.setDaemon(true);
        drain.start();
        try {
            int port = waitForPortal(serve, log);
            String lun = "iscsi://127.0.0.1:" + port + "/" + TARGET + "/0";

            Run inq = run("iscsi-inq", "-i", TOOLS_IQN, lun);
            assertEquals(0, inq.code, inq.toString());
            assertTrue(inq.out.contains("DIRECT_ACCESS"), inq.toString());
            Run cap = run("iscsi-readcapacity16", "-i", TOOLS_IQN, lun);
            assertEquals(0, cap.code, cap.toString());
            assertTrue(cap.out.contains("RETURNED LOGICAL BLOCK ADDRESS:131071"), cap.toString());
            assertTrue(cap.out.contains("LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT:3"), cap.toString());
            assertTrue(cap.out.contains("LBPME:1 LBPRZ:1"), cap.toString());
            Run masked = run("iscsi-inq", "-i", "iqn.2026-11.io.tamp.test:stranger", lun);
            assertNotEquals(0, masked.code, "an unmapped initiator must not see the LUN: " + masked);
            assertTrue(masked.out.contains("LOGICAL_UNIT_NOT_SUPPORTED"), masked.toString());

            // the same file at 0 and at 32 MiB: it must read back and be stored once
            Path file = tmp.resolve("file");
            Files.write(file, fileContent());
            Run put = run("qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", file.toString(), lun);
            assertEquals(0, put.code, put.toString());
            Run put2 = run("qemu-io", "-f", "raw", "-c", "write -s " + file + " 32M " + FILE_BYTES, lun);
            assertEquals(0, put2.code, put2.toString());
            Path back = tmp.resolve("back");
            Run get = run("qemu-img", "convert", "-f", "raw", "-O", "raw", lun, back.toString());
            assertEquals(0, get.code, get.toString());
            byte[] image = Files.readAllBytes(back);
            assertEquals(64 << 20, image.length);
            assertArrayEquals(fileContent(), java.util.Arrays.copyOfRange(image, 0, FILE_BYTES));
            assertArrayEquals(fileContent(), java.util.Arrays.copyOfRange(image, 32 << 20, (32 << 20) + FILE_BYTES));

            Run io = run("qemu-io", "-f", "raw", "-c", "write -P 0xab 5000192 12288", "-c", "read -P 0xab 5000192 12288",
                    "-c", "write -P 0x5c 7340544 512", "-c", "read -P 0x5c 7340544 512", lun);
            assertEquals(0, io.code, io.toString());
            assertTrue(!io.out.contains("Pattern verification failed"), io.toString());
        } finally {
            serve.toHandle().destroy(); // SIGTERM: clean shutdown
            if (!serve.waitFor(60, TimeUnit.SECONDS)) {
                serve.destroyForcibly();
                serve.waitFor(30, TimeUnit.SECONDS);
            }
        }
        assertTrue(log.toString().contains("shutting down"), log.toString());
        EngineConfig d = EngineConfig.defaults(data);
        try (Engine engine = Engine.open(new EngineConfig(data, 2, EngineConfig.GiB, d.segmentBytes(),
                d.fingerprintEntries(), false, 0, d.drainBlocksPerTick(), d.inlineUnmapBlocks()))) {
            VolumeSpace space = engine.volumeSpace(engine.volume("v1"));
            // 2 copies of the file (minus its zero blocks), plus the 3 + 1 blocks qemu-io wrote
            assertTrue(space.dedupRatio() > 1.9, "the second copy did not deduplicate: " + space);
            assertTrue(space.compressionRatio() > 1.2, "the text did not compress: " + space);
        }
    }

    /** 4 MiB: text lines (compressible) and random bytes (not), distinct blocks throughout. */
    private static byte[] fileContent() {
        SplittableRandom r = new SplittableRandom(0x15c51);
        byte[] b = new byte[FILE_BYTES];
        StringBuilder text = new StringBuilder();
        while (text.length() < FILE_BYTES) {
            text.append("line ").append(text.length()).append(" of a log nobody reads, level=INFO\n");
        }
        byte[] t = text.toString().getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < b.length; i++) {
            b[i] = (i / 8192) % 4 == 3 ? (byte) r.nextInt(256) : t[i];
        }
        return b;
    }

    private static int waitForPortal(Process serve, StringBuffer log) throws InterruptedException {
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

    private static void copyLines(Process p, StringBuffer log) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                log.append(line).append('\n');
            }
        } catch (IOException e) {
            log.append("[log read failed: ").append(e).append("]\n");
        }
    }

    private record Run(int code, String out) {
        @Override
        public String toString() {
            return "exit " + code + ":\n" + out;
        }
    }

    private Run run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", command) + " hung");
            return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
