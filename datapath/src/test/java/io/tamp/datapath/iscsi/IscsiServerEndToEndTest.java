package io.tamp.datapath.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tamp.datapath.frontend.Tools;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * libiscsi's command-line tools against an {@link IscsiServer} on 127.0.0.1 serving the
 * {@link FakeScsiDisk}. Needs libiscsi-bin, which .ci/run installs.
 */
class IscsiServerEndToEndTest {
    private static final String IQN = IscsiTargetConfig.DEFAULT_TARGET_NAME;
    private static final String INITIATOR = "iqn.2026-11.io.tamp:e2e-initiator";
    private static final long TIMEOUT_SECONDS = 30;

    private IscsiServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private int start(IscsiTargetConfig config) throws InterruptedException {
        server = IscsiServer.start(new InetSocketAddress("127.0.0.1", 0), config, new FakeScsiDisk(8192), 1);
        return server.port();
    }

    /** Runs a tool, returns exit code and combined output; kills it after the timeout. */
    private static Result run(String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            boolean done = p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            String out = new String(p.getInputStream().readNBytes(1 << 20), StandardCharsets.UTF_8);
            assertTrue(done, String.join(" ", cmd) + " did not finish; output so far:\n" + out);
            return new Result(p.exitValue(), out);
        } finally {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private record Result(int exit, String output) {
    }

    @Test
    void inquiryAndReadCapacity() throws Exception {
        Tools.require("libiscsi-bin", "iscsi-inq");
        Tools.require("libiscsi-bin", "iscsi-readcapacity16");
        int port = start(IscsiTargetConfig.builder().build());
        String url = "iscsi://127.0.0.1:" + port + "/" + IQN + "/0";

        Result inq = run("iscsi-inq", "-i", INITIATOR, url);
        assertEquals(0, inq.exit(), inq.output());
        assertTrue(inq.output().contains(FakeScsiDisk.VENDOR), inq.output());
        assertTrue(inq.output().contains(FakeScsiDisk.PRODUCT), inq.output());

        Result vpd = run("iscsi-inq", "-i", INITIATOR, "-e", "1", "-c", "128", url);
        assertEquals(0, vpd.exit(), vpd.output());
        assertTrue(vpd.output().contains("SN000001"), vpd.output());

        Result cap = run("iscsi-readcapacity16", "-i", INITIATOR, url);
        assertEquals(0, cap.exit(), cap.output());
        assertTrue(cap.output().contains("512"), cap.output());
        assertTrue(cap.output().contains(Long.toString(8192L * 512)), cap.output());
    }

    @Test
    void discoveryListsTheTarget() throws Exception {
        Tools.require("libiscsi-bin", "iscsi-ls");
        int port = start(IscsiTargetConfig.builder().build());
        Result ls = run("iscsi-ls", "-i", INITIATOR, "-s", "iscsi://127.0.0.1:" + port);
        assertEquals(0, ls.exit(), ls.output());
        assertTrue(ls.output().contains("Target:" + IQN), ls.output());
        assertTrue(ls.output().contains("127.0.0.1:" + port), ls.output());
        assertTrue(ls.output().contains("Lun:0"), ls.output());
    }

    @Test
    void chapLogin() throws Exception {
        Tools.require("libiscsi-bin", "iscsi-inq");
        int port = start(IscsiTargetConfig.builder().chap(Map.of("alice", "alice-secret-123")).build());
        String good = "iscsi://alice%25alice-secret-123@127.0.0.1:" + port + "/" + IQN + "/0";
        Result ok = run("iscsi-inq", "-i", INITIATOR, good.replace("%25", "%"));
        assertEquals(0, ok.exit(), ok.output());
        assertTrue(ok.output().contains(FakeScsiDisk.VENDOR), ok.output());

        String bad = "iscsi://alice%wrong-secret-456@127.0.0.1:" + port + "/" + IQN + "/0";
        Result refused = run("iscsi-inq", "-i", INITIATOR, bad);
        assertTrue(refused.exit() != 0, refused.output());
    }
}
