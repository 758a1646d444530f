package io.tamp.mgmt.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts {@code io.tamp.mgmt.Tamp} in a separate JVM as the {@code ./tamp} script does: the same
 * JVM flags (read from the script, so a flag missing there fails here), the test class path
 * instead of target/lib, which is only populated by the package phase after the tests.
 */
final class ChildJvm {
    private static final long TIMEOUT_SECONDS = 120;

    private ChildJvm() {}

    /** The repository root: the nearest directory upwards holding the {@code tamp} launcher. */
    static Path repoRoot() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("tamp")) && Files.isRegularFile(d.resolve("pom.xml"))) {
                return d;
            }
        }
        throw new IllegalStateException("no tamp launcher above " + Path.of("").toAbsolutePath());
    }

    /** The JVM flags of the launcher script's {@code flags=( ... )} array. */
    static List<String> launcherFlags() throws IOException {
        String script = Files.readString(repoRoot().resolve("tamp"), StandardCharsets.UTF_8);
        int start = script.indexOf("flags=(");
        int end = script.indexOf(')', start);
        if (start < 0 || end < 0) {
            throw new IllegalStateException("the tamp script has no flags=( ... ) array");
        }
        return Arrays.stream(script.substring(start + "flags=(".length(), end).split("\\s+"))
                .filter(s -> !s.isEmpty()).toList();
    }

    static ProcessBuilder command(String... tampArgs) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(launcherFlags());
        cmd.add("-cp");
        // Surefire may hand this JVM a manifest-only booter jar; it records the real class path here
        cmd.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        cmd.add("io.tamp.mgmt.Tamp");
        cmd.addAll(List.of(tampArgs));
        return new ProcessBuilder(cmd).directory(repoRoot().toFile());
    }

    /** Runs to completion with stdout and stderr captured (through files: no pipe can fill up). */
    static Cli.Result run(Path scratch, String... tampArgs) throws IOException, InterruptedException {
        return run(scratch, java.util.Map.of(), tampArgs);
    }

    /** As {@link #run(Path, String...)}, with extra environment variables (TAMP_URL, TAMP_PASSWORD, ...). */
    static Cli.Result run(Path scratch, java.util.Map<String, String> env, String... tampArgs)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(scratch, "stdout", ".txt");
        Path err = Files.createTempFile(scratch, "stderr", ".txt");
        ProcessBuilder pb = command(tampArgs).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("tamp " + String.join(" ", tampArgs) + " still running after "
                        + TIMEOUT_SECONDS + " s; stderr so far:\n" + Files.readString(err));
            }
        } finally {
            p.destroyForcibly();
        }
        return new Cli.Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
