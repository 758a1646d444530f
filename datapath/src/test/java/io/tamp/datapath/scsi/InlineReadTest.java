package io.tamp.datapath.scsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.tamp.datapath.frontend.HeldWorkers;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A READ of at most 128 KiB that is alone in its session runs on the caller's thread; every other
 * command waits for a worker. Proven with every worker held: only the lone short read is done when
 * execute returns, and everything completes with the right data once the workers are free.
 */
class InlineReadTest extends ScsiFixture {

    @Test
    void onlyALoneShortReadRunsOnTheCallersThread() throws Exception {
        login(PORT);
        byte[] data = new byte[257 * 512];
        new Random(5).nextBytes(data);
        assertEquals(ScsiResponse.GOOD, run(cdb("2A 00 00 00 00 00 00 01 01 00"), data).status()); // WRITE(10) 257 blocks

        HeldWorkers held = HeldWorkers.hold(workers, 2); // the fixture's pool has two workers
        List<CompletableFuture<ScsiResponse>> waiting = new ArrayList<>();
        try {
            CompletableFuture<ScsiResponse> alone = disk.execute(command("28 00 00 00 00 00 00 01 00 00", null), true);
            assertTrue(alone.isDone(), "a lone 128 KiB READ(10) ran on this thread");
            assertArrayEquals(java.util.Arrays.copyOf(data, 256 * 512), dataIn(alone.join()));

            CompletableFuture<ScsiResponse> notAlone = disk.execute(command("28 00 00 00 00 00 00 00 08 00", null), false);
            CompletableFuture<ScsiResponse> tooLong = disk.execute(command("28 00 00 00 00 00 00 01 01 00", null), true);
            CompletableFuture<ScsiResponse> write = disk.execute(command("2A 00 00 00 00 00 00 00 08 00",
                    java.util.Arrays.copyOf(data, 8 * 512)), true);
            waiting.addAll(List.of(notAlone, tooLong, write));
            assertFalse(notAlone.isDone(), "a read with others in flight goes to a worker");
            assertFalse(tooLong.isDone(), "a 257-block read goes to a worker");
            assertFalse(write.isDone(), "a write goes to a worker");
            held.release();
            assertArrayEquals(java.util.Arrays.copyOf(data, 8 * 512), dataIn(notAlone.get(10, TimeUnit.SECONDS)));
            assertArrayEquals(data, dataIn(tooLong.get(10, TimeUnit.SECONDS)));
            assertEquals(ScsiResponse.GOOD, write.get(10, TimeUnit.SECONDS).status());
        } finally {
            held.close();
            waiting.forEach(CompletableFuture::join);
        }
    }

    private long nextTag = 100;

    private ScsiCommand command(String cdbHex, byte[] dataOut) {
        return new ScsiCommand(PORT, IQN, 0, cdb(cdbHex), dataOut == null ? 0 : dataOut.length,
                dataOut == null ? null : Unpooled.directBuffer(dataOut.length).writeBytes(dataOut), nextTag++);
    }

    private static byte[] dataIn(ScsiResponse r) {
        assertEquals(ScsiResponse.GOOD, r.status());
        byte[] b = new byte[r.dataIn().readableBytes()];
        r.dataIn().readBytes(b);
        r.dataIn().release();
        return b;
    }
}
