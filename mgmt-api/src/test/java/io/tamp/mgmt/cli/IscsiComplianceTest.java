package io.tamp.mgmt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tamp.mgmt.cli.ServedPortal.Run;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * libiscsi's compliance suite, {@code iscsi-test-cu} (Debian package libiscsi-bin), family ALL
 * with destructive tests allowed and two initiator names, against {@code serve} with one 1 GiB
 * thin volume mapped to both. Every test must pass except the libiscsi defects listed below,
 * each with the reason it is the test, not the target, that is wrong.
 * {@code scripts/iscsi-compliance.sh} runs the same thing by hand.
 */
class IscsiComplianceTest {
    private static final String I1 = "iqn.2026-11.io.tamp.compliance:one";
    private static final String I2 = "iqn.2026-11.io.tamp.compliance:two";
    /** What tgt (file-backed LUN) passes on this machine in the same family: 159 of 230. */
    private static final int TGT_PASSED = 159;

    /** Suite.Test → why libiscsi 1.19 (and its master as of 2026-11) expects the wrong thing. */
    static final Map<String, String> LIBISCSI_DEFECTS = Map.of(
            "GetLBAStatus.UnmapSingle",
            "asks GET LBA STATUS for LBA i+1 and requires the first descriptor to start at i+LBPPB; SBC-3 "
                    + "5.8.2 says the first descriptor starts at the STARTING LBA, so only a target reporting "
                    + "one logical block per physical block (LBPPBE 0) passes, and we report 4 KiB physical "
                    + "blocks (LBPPBE 3) as the issue requires");

    @TempDir
    Path tmp;

    @Test
    void libiscsiComplianceSuitePassesEverythingThatAppliesToAThinDisk() throws Exception {
        ServedPortal.requireTools("libiscsi-bin", "iscsi-test-cu");
        Run cu;
        try (ServedPortal served = new ServedPortal(tmp.resolve("data"), 4, "--volume", "v1:1G",
                "--map", "v1:" + I1 + ":0", "--map", "v1:" + I2 + ":0")) {
            cu = ServedPortal.run(900, "iscsi-test-cu", "--dataloss", "-i", I1, "--initiator-name-2", I2,
                    "-t", "ALL", served.lunUrl(0));
        }
        Matcher summary = Pattern.compile("(?m)^\\s*tests\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)").matcher(cu.out());
        assertTrue(summary.find(), "no CUnit summary:\n" + cu);
        int total = Integer.parseInt(summary.group(1));
        int ran = Integer.parseInt(summary.group(2));
        int passed = Integer.parseInt(summary.group(3));
        int failed = Integer.parseInt(summary.group(4));
        System.out.printf("iscsi-test-cu ALL: %d passed, %d failed, %d skipped%n", passed, failed, total - ran);

        List<String> failures = failedTests(cu.out());
        assertEquals(failed, failures.size(), "the parser and CUnit disagree on " + failures + ":\n" + cu.out());
        List<String> unexpected = new ArrayList<>();
        for (String test : failures) {
            if (!LIBISCSI_DEFECTS.containsKey(test)) {
                unexpected.add(test);
            }
        }
        assertEquals(List.of(), unexpected, "failed compliance tests:\n" + cu.out());
        assertTrue(passed > TGT_PASSED, passed + " passed, not more than tgt's " + TGT_PASSED);
        assertTrue(total >= 200, "the ALL family shrank to " + total + " tests:\n" + cu.out());
    }

    /** Suite.Test of every test CUnit reports FAILED (the verdict comes after the test's own output). */
    static List<String> failedTests(String out) {
        List<String> failed = new ArrayList<>();
        String suite = "";
        String test = null;
        for (String line : out.split("\n")) {
            if (line.startsWith("Suite: ")) {
                suite = line.substring(7).trim();
            } else if (line.startsWith("  Test: ")) {
                test = line.substring(8).split(" ")[0];
            }
            if (test != null && line.stripTrailing().endsWith("FAILED")) {
                failed.add(suite + "." + test);
                test = null;
            } else if (test != null && line.stripTrailing().endsWith("passed")) {
                test = null;
            }
        }
        return failed;
    }
}
