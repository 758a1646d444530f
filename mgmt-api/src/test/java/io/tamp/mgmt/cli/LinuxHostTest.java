package io.tamp.mgmt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tamp.mgmt.cli.ServedPortal.Run;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Linux host: Debian's kernel under qemu (software emulation, scripts/linux-guest, built
 * once and cached) mounts Tamp volumes with its own initiators — open-iscsi over iscsi_tcp, and
 * nvme-cli over nvme-tcp — makes ext4, writes, remounts and verifies, trims, reconnects and
 * verifies again. The guest reaches serve's 127.0.0.1 ports as 10.0.2.2 (qemu user networking).
 * Needs qemu-system-x86, cpio, kmod, open-iscsi and nvme-cli on the host (.ci/run installs them)
 * and fetches Debian's kernel package the first time.
 */
class LinuxHostTest {
    private static final String IQN = "iqn.2026-11.io.tamp.guest:linux";
    private static final String NQN = "nqn.2014-08.org.nvmexpress:uuid:7a3b6e52-0000-4000-8000-00000000beef";
    private static final Path SCRIPTS = Path.of("..", "scripts", "linux-guest").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @BeforeAll
    static void buildGuest() throws Exception {
        ServedPortal.requireTools("qemu-system-x86 cpio kmod", "qemu-system-x86_64", "cpio");
        Run build = ServedPortal.run(900, SCRIPTS.resolve("build.sh").toString());
        assertEquals(0, build.code(), "building the guest kernel + initramfs failed:\n" + build);
    }

    private Run guest(String script, String... args) throws Exception {
        String[] cmd = new String[args.length + 2];
        cmd[0] = SCRIPTS.resolve("run.sh").toString();
        cmd[1] = SCRIPTS.resolve(script).toString();
        System.arraycopy(args, 0, cmd, 2, args.length);
        return ServedPortal.run(400, cmd);
    }

    @Test
    void linuxMountsAnIscsiVolumeAndAnNvmeNamespace() throws Exception {
        try (ServedPortal served = new ServedPortal(tmp.resolve("data"), 2, "--volume", "vol1:512M",
                "--volume", "vol2:512M", "--map", "vol1:" + IQN + ":0", "--map", "vol2:" + NQN + ":0")) {
            Run iscsi = guest("guest-iscsi-mount.sh", Integer.toString(served.port), IQN);
            assertEquals(0, iscsi.code(), "the Linux iSCSI initiator test failed:\n" + iscsi.out()
                    + "\n--- serve log ---\n" + served.log());
            Run nvme = guest("guest-nvme-mount.sh", Integer.toString(served.nvmePort()), NQN);
            assertEquals(0, nvme.code(), "the Linux NVMe/TCP host test failed:\n" + nvme.out()
                    + "\n--- serve log ---\n" + served.log());
        }
    }
}
