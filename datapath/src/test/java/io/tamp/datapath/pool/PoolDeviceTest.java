package io.tamp.datapath.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The O_DIRECT fallback decision, driven by a probe that fails on command. */
class PoolDeviceTest {
    @TempDir
    Path dir;

    private Path file() throws IOException {
        Path file = dir.resolve("d.dev");
        Files.write(file, new byte[8192]);
        return file;
    }

    @Test
    void fallsBackToBufferedWhenTheFirstDirectIoIsRefused() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        try (PoolDevice device = PoolDevice.open(file(), true, channel -> {
            if (calls.incrementAndGet() == 1) {
                throw new IOException("Invalid argument");
            }
        })) {
            assertFalse(device.directIo());
            assertEquals(2, calls.get(), "the probe is repeated on the buffered channel");
        }
    }

    @Test
    void keepsDirectIoWhenTheProbeSucceeds() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        try (PoolDevice device = PoolDevice.open(file(), true, channel -> calls.incrementAndGet())) {
            assertTrue(device.directIo());
            assertEquals(1, calls.get());
        }
    }

    @Test
    void aVerdictAboutTheDeviceIsNotRetried() throws IOException {
        Path file = file();
        PoolException verdict = PoolException.device(file, "not a Tamp pool device");
        AtomicInteger calls = new AtomicInteger();
        PoolException thrown = assertThrows(PoolException.class, () -> PoolDevice.open(file, true, channel -> {
            calls.incrementAndGet();
            throw verdict;
        }));
        assertSame(verdict, thrown);
        assertEquals(1, calls.get());
    }

    @Test
    void anIoErrorInBufferedModeNamesTheDevice() throws IOException {
        Path file = file();
        PoolException thrown = assertThrows(PoolException.class, () -> PoolDevice.open(file, false, channel -> {
            throw new IOException("Input/output error");
        }));
        assertTrue(thrown.getMessage().contains(file.toString()) && thrown.getMessage().contains("Input/output"),
                thrown.getMessage());
    }

    @Test
    void aMissingFileIsReportedAsSuch() {
        Path absent = dir.resolve("absent.dev");
        PoolException thrown = assertThrows(PoolException.class, () -> PoolDevice.open(absent, true, c -> { }));
        assertTrue(thrown.getMessage().contains("does not exist"), thrown.getMessage());
        assertFalse(Files.exists(absent));
    }
}
