package io.tamp.datapath.frontend;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** The external tools the frontend tests drive: a missing one fails the test, naming its Debian package. */
public final class Tools {
    private Tools() {
    }

    public static void require(String debianPackage, String tool) {
        boolean found = false;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            found |= !dir.isEmpty() && Files.isExecutable(Path.of(dir, tool));
        }
        assertTrue(found, tool + " is not installed: apt-get install " + debianPackage + " (.ci/run does)");
    }
}
