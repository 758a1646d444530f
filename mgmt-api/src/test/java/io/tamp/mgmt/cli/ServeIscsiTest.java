package io.tamp.mgmt.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tamp.datapath.volume.Engine;
import io.tamp.datapath.volume.EngineConfig;
import io.tamp.datapath.volume.VolumeSpace;
import io.tamp.mgmt.cli.ServedPortal.Run;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real initiators against {@code serve}: libiscsi's tools and qemu's iSCSI block driver log in to
 * the portal, see only what is mapped to them, and move data that reads back byte for byte and
 * deduplicates. It needs libiscsi-bin, qemu-utils and qemu-block-extra, which .ci/run installs.
 */
class ServeIscsiTest {
    /** The initiator name qemu's iSCSI driver uses unless told otherwise. */
    private static final String QEMU_IQN = "iqn.2008-11.org.linux-kvm";
    private static final String TOOLS_IQN = "iqn.2026-11.io.tamp.test:tools";
    private static final int FILE_BYTES = 4 << 20;

    @TempDir
    Path tmp;

    @Test
    void realInitiatorsWriteReadAndDeduplicateThroughTheIscsiPortal() throws Exception {
        ServedPortal.requireTools("libiscsi-bin qemu-utils qemu-block-extra", "iscsi-inq", "iscsi-readcapacity16",
                "qemu-img", "qemu-io");
        Path data = tmp.resolve("data");
        ServedPortal served = new ServedPortal(data, 1, "--volume", "v1:64M",
                "--map", "v1:" + QEMU_IQN + ":0", "--map", "v1:" + TOOLS_IQN + ":0");
        try {
            String lun = served.lunUrl(0);

            Run inq = run("iscsi-inq", "-i", TOOLS_IQN, lun);
            assertEquals(0, inq.code(), inq.toString());
            assertTrue(inq.out().contains("DIRECT_ACCESS"), inq.toString());
            Run cap = run("iscsi-readcapacity16", "-i", TOOLS_IQN, lun);
            assertEquals(0, cap.code(), cap.toString());
            assertTrue(cap.out().contains("RETURNED LOGICAL BLOCK ADDRESS:131071"), cap.toString());
            assertTrue(cap.out().contains("LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT:3"), cap.toString());
            assertTrue(cap.out().contains("LBPME:1 LBPRZ:1"), cap.toString());
            Run masked = run("iscsi-inq", "-i", "iqn.2026-11.io.tamp.test:stranger", lun);
            assertNotEquals(0, masked.code(), "an unmapped initiator must not see the LUN: " + masked);
            assertTrue(masked.out().contains("LOGICAL_UNIT_NOT_SUPPORTED"), masked.toString());

            // the same file at 0 and at 32 MiB: it must read back and be stored once
            Path file = tmp.resolve("file");
            Files.write(file, fileContent());
            Run put = run("qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", file.toString(), lun);
            assertEquals(0, put.code(), put.toString());
            Run put2 = run("qemu-io", "-f", "raw", "-c", "write -s " + file + " 32M " + FILE_BYTES, lun);
            assertEquals(0, put2.code(), put2.toString());
            Path back = tmp.resolve("back");
            Run get = run("qemu-img", "convert", "-f", "raw", "-O", "raw", lun, back.toString());
            assertEquals(0, get.code(), get.toString());
            byte[] image = Files.readAllBytes(back);
            assertEquals(64 << 20, image.length);
            assertArrayEquals(fileContent(), java.util.Arrays.copyOfRange(image, 0, FILE_BYTES));
            assertArrayEquals(fileContent(), java.util.Arrays.copyOfRange(image, 32 << 20, (32 << 20) + FILE_BYTES));

            Run io = run("qemu-io", "-f", "raw", "-c", "write -P 0xab 5000192 12288", "-c", "read -P 0xab 5000192 12288",
                    "-c", "write -P 0x5c 7340544 512", "-c", "read -P 0x5c 7340544 512", lun);
            assertEquals(0, io.code(), io.toString());
            assertTrue(!io.out().contains("Pattern verification failed"), io.toString());

            // qemu with HeaderDigest=CRC32C (libiscsi offers no data digest): every PDU header is checked
            Run digested = run("qemu-io", "--image-opts", "driver=iscsi,transport=tcp,portal=127.0.0.1:" + served.port
                    + ",target=" + ServedPortal.TARGET + ",lun=0,header-digest=crc32c",
                    "-c", "write -P 0x3d 9437184 131072", "-c", "read -P 0x3d 9437184 131072",
                    "-c", "read -P 0xab 5000192 12288");
            assertEquals(0, digested.code(), digested.toString());
            assertTrue(!digested.out().contains("Pattern verification failed"), digested.toString());
            assertTrue(served.log().contains("digests CRC32C/None"), served.log());
        } finally {
            served.close();
        }
        assertTrue(served.log().contains("shutting down"), served.log());
        EngineConfig d = EngineConfig.defaults(data);
        try (Engine engine = Engine.open(new EngineConfig(data, 2, EngineConfig.GiB, d.segmentBytes(),
                d.fingerprintEntries(), false, 0, d.drainBlocksPerTick(), d.inlineUnmapBlocks()))) {
            VolumeSpace space = engine.volumeSpace(engine.volume("v1"));
            // 2 copies of the file (minus its zero blocks), plus the 3 + 1 blocks qemu-io wrote
            assertTrue(space.dedupRatio() > 1.9, "the second copy did not deduplicate: " + space);
            assertTrue(space.compressionRatio() > 1.2, "the text did not compress: " + space);
        }
    }

    @Test
    void chapAndMutualChapFromTheCommandLineGuardTheLogin() throws Exception {
        ServedPortal.requireTools("libiscsi-bin", "iscsi-inq");
        Path args = tmp.resolve("secrets.args"); // picocli @-file: secrets stay off the command line
        Files.writeString(args, "--chap tools:s3cret-tools-123\n--mutual-chap array:array-secret-456\n");
        try (ServedPortal served = new ServedPortal(tmp.resolve("data"), 1, "--volume", "v1:16M",
                "--map", "v1:" + TOOLS_IQN + ":0", "@" + args)) {
            String url = served.lunUrl(0);
            String withCreds = url.replace("iscsi://", "iscsi://tools%s3cret-tools-123@");
            Run ok = run("iscsi-inq", "-i", TOOLS_IQN, withCreds);
            assertEquals(0, ok.code(), ok.toString());
            assertTrue(ok.out().contains("DIRECT_ACCESS"), ok.toString());
            Run none = run("iscsi-inq", "-i", TOOLS_IQN, url);
            assertNotEquals(0, none.code(), "a login without CHAP must fail: " + none);
            Run wrong = run("iscsi-inq", "-i", TOOLS_IQN, url.replace("iscsi://", "iscsi://tools%wrong-secret-00@"));
            assertNotEquals(0, wrong.code(), "a wrong secret must fail: " + wrong);
            // mutual: the initiator checks the target's answer too (libiscsi: target_user/target_password)
            Run mutual = run("iscsi-inq", "-i", TOOLS_IQN,
                    withCreds + "?target_user=array&target_password=array-secret-456");
            assertEquals(0, mutual.code(), mutual.toString());
            Run badMutual = run("iscsi-inq", "-i", TOOLS_IQN,
                    withCreds + "?target_user=array&target_password=not-the-secret1");
            assertNotEquals(0, badMutual.code(), "the initiator must reject a target that answers wrong: " + badMutual);
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

    private static Run run(String... command) throws IOException, InterruptedException {
        return ServedPortal.run(120, command);
    }
}
