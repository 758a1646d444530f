package io.tamp.datapath.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tamp.datapath.fsck.Fsck;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM ({@link CrashWriter}) writes, unmaps and flushes on one pool and is killed with
 * SIGKILL at a random moment, again and again. After every kill the pool must open as recovered
 * from a crash, every sector must read back what the model says the last completed flush made
 * durable (or, for a sector an op after that flush touched, what one of those ops wrote), and fsck
 * must pass. Run longer with -Dcrash.iterations=N; replay a run with -Dcrash.seed=S.
 */
class CrashTest {
    private static final int ITERATIONS = Integer.getInteger("crash.iterations", 15);
    private static final int SECTOR = CrashOps.SECTOR;
    private static final long READY_TIMEOUT_MS = 30_000;
    private static final int MAX_REPORTED = 5;

    @TempDir
    Path dir;

    static EngineConfig config(Path pool) {
        // the cleaner keeps moving data while the child writes, so kills land in the middle of moves too
        return EngineConfig.small(pool, 2, 128L << 20).withInlineUnmapBlocks(32).withBusyCleanFreeFraction(1);
    }

    @Test
    void flushedWritesSurviveSigkill() throws Exception {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        Path pool = dir.resolve("pool");
        byte[] baseline = new byte[(int) CrashOps.VOLUME_BYTES];
        int runs = 0;
        int runsWithFlush = 0;
        long startNs = System.nanoTime();
        for (int it = 0; it < ITERATIONS; it++) {
            long childSeed = random.nextLong();
            boolean background = it % 2 == 1;
            // now and then kill the child while it opens (and recovers) the pool; never before it first created it
            boolean duringOpen = it > 0 && random.nextInt(6) == 0;
            long killAfterMs = duringOpen ? random.nextInt(0, 800) : random.nextInt(200, 1500);
            String where = "seed " + seed + " (-Dcrash.seed), iteration " + it + ", child seed " + childSeed
                    + ", background " + background + ", killed " + killAfterMs + " ms after "
                    + (duringOpen ? "start" : "READY");
            Path journalFile = dir.resolve("journal-" + it);
            Path errFile = dir.resolve("child-" + it + ".err");
            Process child = startChild(pool, childSeed, journalFile, background, errFile);
            try {
                if (!duringOpen) {
                    awaitReady(child, journalFile, errFile, where);
                }
                Thread.sleep(killAfterMs);
                if (!child.isAlive()) {
                    fail(where + ": child exited by itself with " + child.exitValue() + "\n" + tail(errFile));
                }
            } finally {
                child.destroyForcibly();
                child.waitFor(30, TimeUnit.SECONDS);
            }
            Journal journal = Journal.read(journalFile);
            where += ", " + journal;
            if (journal.ready) {
                runs++;
                runsWithFlush += journal.lastFlushed >= 0 ? 1 : 0;
            }
            baseline = recoverAndVerify(pool, baseline, new CrashOps(childSeed), journal, where);
        }
        System.out.printf("crash test: seed %d, %d iterations, %d of %d runs flushed before the kill, %d ms%n",
                seed, ITERATIONS, runsWithFlush, runs, (System.nanoTime() - startNs) / 1_000_000);
        assertTrue(runsWithFlush * 2 >= runs, "seed " + seed + ": only " + runsWithFlush + " of " + runs
                + " children completed a flush before the kill; the test is not exercising recovery");
    }

    /** Opens the pool after the kill, checks it against the model, and returns the image it now holds. */
    private static byte[] recoverAndVerify(Path pool, byte[] baseline, CrashOps ops, Journal journal, String where)
            throws IOException {
        byte[] actual = new byte[baseline.length];
        try (Engine e = Engine.open(config(pool))) {
            if (journal.ready) {
                assertTrue(e.recoveredFromCrash(), where + ": the engine did not notice the crash");
            }
            Volume v = e.volume(CrashOps.VOLUME);
            assertNotNull(v, where + ": volume lost");
            assertEquals(IoStatus.OK, v.read(0, actual), where + ": read-back");
            checkAgainstModel(actual, baseline, ops, journal, where);
            assertFsck(e, where + ", after recovery");
            // the cleaner and unmap drain work on what recovery left; they must keep the data as it is
            e.settle(true);
            assertFsck(e, where + ", after settle");
            byte[] settled = new byte[actual.length];
            assertEquals(IoStatus.OK, v.read(0, settled), where + ": read-back after settle");
            assertTrue(Arrays.equals(actual, settled), where + ": settle changed the volume's content");
        }
        return actual;
    }

    /**
     * Every sector must hold its value after the last flushed op; a sector touched by an op started
     * after that flush may instead hold the value any of those ops left there.
     */
    private static void checkAgainstModel(byte[] actual, byte[] baseline, CrashOps ops, Journal journal,
                                          String where) {
        byte[] flushed = baseline.clone();
        for (int i = 0; i <= journal.lastFlushed; i++) {
            ops.op(i).applyTo(flushed);
        }
        byte[] later = flushed.clone();
        List<List<byte[]>> alternatives = new ArrayList<>();
        for (int s = 0; s < CrashOps.VOLUME_SECTORS; s++) {
            alternatives.add(null);
        }
        List<List<Integer>> touchedBy = new ArrayList<>(alternatives.size());
        for (int s = 0; s < CrashOps.VOLUME_SECTORS; s++) {
            touchedBy.add(null);
        }
        for (int i = journal.lastFlushed + 1; i <= journal.lastStarted; i++) {
            CrashOps.Op op = ops.op(i);
            op.applyTo(later);
            for (int s = op.firstSector(); s < op.endSector(); s++) {
                if (alternatives.get(s) == null) {
                    alternatives.set(s, new ArrayList<>());
                    touchedBy.set(s, new ArrayList<>());
                }
                alternatives.get(s).add(Arrays.copyOfRange(later, s * SECTOR, (s + 1) * SECTOR));
                touchedBy.get(s).add(i);
            }
        }
        List<String> bad = new ArrayList<>();
        int badCount = 0;
        for (int s = 0; s < CrashOps.VOLUME_SECTORS; s++) {
            int from = s * SECTOR;
            if (Arrays.equals(actual, from, from + SECTOR, flushed, from, from + SECTOR)) {
                continue;
            }
            List<byte[]> alt = alternatives.get(s);
            if (alt != null && alt.stream().anyMatch(a -> Arrays.equals(actual, from, from + SECTOR, a, 0, SECTOR))) {
                continue;
            }
            badCount++;
            if (bad.size() < MAX_REPORTED) {
                int at = Arrays.mismatch(actual, from, from + SECTOR, flushed, from, from + SECTOR);
                bad.add("sector " + s + " (block " + s / 8 + "): byte " + at + " is " + actual[from + at]
                        + ", flushed model has " + flushed[from + at]
                        + (alt == null ? ", no op after the flush touched it" : ", also touched by ops "
                        + touchedBy.get(s)));
            }
        }
        if (badCount > 0) {
            fail(where + ": " + badCount + " sectors differ from the model, first: " + String.join("; ", bad));
        }
    }

    private static void assertFsck(Engine e, String where) {
        Fsck.Result r = Fsck.check(e);
        assertTrue(r.ok(), where + ": fsck " + r.violations());
    }

    // ---------------------------------------------------------------- child process

    private static Process startChild(Path pool, long seed, Path journal, boolean background, Path errFile)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports") || arg.startsWith("-Dchronicle.")) {
                cmd.add(arg);
            }
        }
        cmd.add("-Xmx256m");
        cmd.add("-cp");
        // surefire may run the tests from a manifest-only jar; this property has the real class path
        cmd.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        cmd.add(CrashWriter.class.getName());
        cmd.add(pool.toString());
        cmd.add(Long.toString(seed));
        cmd.add(journal.toString());
        cmd.add(Boolean.toString(background));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(errFile.toFile()).start();
    }

    /** Polls the journal for READY: the child is an external process we can only watch. */
    private static void awaitReady(Process child, Path journal, Path errFile, String where) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
        while (!Journal.read(journal).ready) {
            if (!child.isAlive()) {
                fail(where + ": child exited by itself with " + child.exitValue() + " before READY\n" + tail(errFile));
            }
            if (System.nanoTime() > deadline) {
                fail(where + ": child not READY after " + READY_TIMEOUT_MS + " ms\n" + tail(errFile));
            }
            Thread.sleep(10);
        }
    }

    private static String tail(Path file) throws IOException {
        if (!Files.exists(file)) {
            return "(no output)";
        }
        String s = Files.readString(file, StandardCharsets.UTF_8);
        return s.length() <= 8000 ? s : "..." + s.substring(s.length() - 8000);
    }

    /** What the child's journal says: whether it opened the pool, the last op it started, the last flush op that completed. */
    record Journal(boolean ready, int lastStarted, int lastFlushed, int flushes) {
        static Journal read(Path file) throws IOException {
            if (!Files.exists(file)) {
                return new Journal(false, -1, -1, 0);
            }
            boolean ready = false;
            int lastStarted = -1;
            int lastFlushed = -1;
            int flushes = 0;
            // a kill can cut the last line short: only whole lines count
            String text = Files.readString(file, StandardCharsets.US_ASCII);
            String[] lines = text.substring(0, text.lastIndexOf('\n') + 1).split("\n");
            for (String line : lines) {
                if (line.equals("READY")) {
                    ready = true;
                } else if (line.startsWith("OP ")) {
                    lastStarted = Integer.parseInt(line.substring(3));
                } else if (line.startsWith("FLUSHED ")) {
                    lastFlushed = Integer.parseInt(line.substring(8));
                    flushes++;
                }
            }
            return new Journal(ready, lastStarted, lastFlushed, flushes);
        }

        @Override
        public String toString() {
            return (ready ? "" : "never READY, ") + "ops started " + (lastStarted + 1) + ", " + flushes
                    + " flushes, last flushed op " + lastFlushed;
        }
    }
}
