package io.tamp.datapath.nvmetcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tamp.datapath.frontend.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Wireshark's NVMe/TCP dissector as a protocol checker: captures this test's own loopback
 * traffic with tshark while a host initializes, connects an admin and an I/O queue (with
 * digests), writes in-capsule and through R2T/H2CData, reads through C2HData (with and without
 * the SUCCESS flag), then asserts the dissector found every PDU type it should and nothing
 * malformed, unknown or with a bad digest. Needs tshark (.ci/run installs it) and permission to
 * capture on lo (root in CI).
 */
class NvmeTcpWireTest extends NvmeTcpFixture {
    @Test
    void wiresharkFindsNothingMalformed() throws Exception {
        Tools.require("tshark", "tshark");
        Path pcap = dir.resolve("nvme.pcap");
        int port = server.port();
        Process capture = new ProcessBuilder("tshark", "-i", "lo", "-f", "tcp port " + port, "-w", pcap.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("tshark.log").toFile()).start();
        try {
            waitForCapture(capture, dir.resolve("tshark.log"));
            try (NvmeTcpTestHost admin = NvmeTcpTestHost.admin(port, NQN, HOST, 0);
                    NvmeTcpTestHost io = NvmeTcpTestHost.io(port, 1, admin.controllerId, NQN, HOST, true, false);
                    NvmeTcpTestHost fast = NvmeTcpTestHost.io(port, 2, admin.controllerId, NQN, HOST, false, true)) {
                admin.identify(0x01, 0, 0);
                admin.identify(0x00, 1, 0);
                byte[] small = pattern(4096, 11);
                byte[] big = pattern(200 * 1024, 12);
                assertTrue(io.write(1, 0, small, false, true).ok());
                assertTrue(io.write(1, 64, big, true, false).ok());
                assertArrayEquals(big, io.read(1, 64, big.length / 512).data());
                assertArrayEquals(small, fast.read(1, 0, 8).data());
                assertTrue(io.flush(1).ok());
            }
            Thread.sleep(500); // let the last segments reach the capture
        } finally {
            capture.destroy(); // SIGTERM: tshark finishes the file
            assertTrue(capture.waitFor(30, TimeUnit.SECONDS), "tshark did not stop");
        }
        List<String> fields = tshark(pcap, port, "-Y", "nvme-tcp", "-T", "fields", "-e", "nvme-tcp.type");
        Map<String, Integer> types = new TreeMap<>();
        for (String line : fields) {
            for (String t : line.split(",")) {
                if (!t.isBlank()) {
                    types.merge(t.trim(), 1, Integer::sum);
                }
            }
        }
        // ICReq 0, ICResp 1, CapsuleCmd 4, CapsuleResp 5, H2CData 6, C2HData 7, R2T 9
        for (String t : List.of("0", "1", "4", "5", "6", "7", "9")) {
            assertTrue(types.containsKey(t), "no PDU of type " + t + " dissected: " + types);
        }
        List<String> bad = tshark(pcap, port, "-Y",
                "_ws.malformed || _ws.unreassembled || nvme-tcp.unknown_data || nvme-tcp.hdgst.status == 0 "
                        + "|| nvme-tcp.ddgst.status == 0 || nvme-tcp.hdgst.status == 4 || nvme-tcp.ddgst.status == 4",
                "-T", "fields", "-e", "frame.number", "-e", "nvme-tcp.type", "-e", "_ws.malformed",
                "-e", "_ws.unreassembled", "-e", "nvme-tcp.unknown_data", "-e", "nvme-tcp.hdgst.status",
                "-e", "nvme-tcp.ddgst.status", "-e", "_ws.expert.message");
        assertEquals(List.of(), bad, "frames Wireshark flags: " + bad);
        // the digests were really checked, and found good
        List<String> digests = tshark(pcap, port, "-Y", "nvme-tcp.hdgst.status == 1 && nvme-tcp.ddgst.status == 1",
                "-T", "fields", "-e", "frame.number");
        assertTrue(digests.size() >= 3, "too few PDUs with verified good digests: " + digests);
    }

    private static List<String> tshark(Path pcap, int port, String... filter) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("tshark", "-r", pcap.toString(), "-o",
                "tcp.check_checksum:FALSE", "-o", "nvme-tcp.check_hdgst:TRUE", "-o", "nvme-tcp.check_ddgst:TRUE",
                "-d", "tcp.port==" + port + ",nvme-tcp"));
        cmd.addAll(Arrays.asList(filter));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "tshark failed: " + err);
        return new String(out, StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
    }

    private static void waitForCapture(Process capture, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String text = Files.exists(log) ? Files.readString(log) : "";
            if (text.contains("Capturing on")) {
                Thread.sleep(300);
                return;
            }
            assertTrue(capture.isAlive(), "tshark exited: " + text);
            Thread.sleep(50);
        }
        throw new AssertionError("tshark did not start capturing");
    }

}
