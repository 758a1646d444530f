package io.tamp.datapath.nvmetcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tamp.datapath.nvmetcp.NvmeTcpTestHost.Result;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A queue's lone read of at most 128 KiB runs on the event loop; everything else waits for a
 * worker. Proven by occupying every worker: the short read still completes, a longer read and a
 * write complete only once the workers are free again, and all of them with the right data.
 */
class NvmeInlineReadTest extends NvmeTcpFixture {

    @Test
    void aLoneShortReadNeedsNoWorkerButLongReadsAndWritesDo() throws Exception {
        try (NvmeTcpTestHost admin = NvmeTcpTestHost.admin(server.port(), NQN, HOST, 0);
                NvmeTcpTestHost io = NvmeTcpTestHost.io(server.port(), 1, admin.controllerId, NQN, HOST, false, false)) {
            byte[] small = pattern(8 * 512, 1);
            byte[] big = pattern(257 * 512, 2);
            assertTrue(io.write(1, 0, small, false, true).ok());
            assertTrue(io.write(1, 4096, big, false, false).ok());
            byte[] edge = pattern(256 * 512, 3);
            assertTrue(io.write(1, 8192, edge, false, false).ok());

            CountDownLatch gate = new CountDownLatch(1);
            CountDownLatch busy = new CountDownLatch(2);
            for (int i = 0; i < 2; i++) { // the fixture's pool has two workers: hold both
                workers.execute(() -> {
                    busy.countDown();
                    await(gate);
                });
            }
            assertTrue(busy.await(10, TimeUnit.SECONDS));
            try {
                Result r = CompletableFuture.supplyAsync(() -> read(io, 0, 8)).get(10, TimeUnit.SECONDS);
                assertTrue(r.ok());
                assertArrayEquals(small, r.data(), "4 KiB read answered from the event loop");
                Result atLimit = CompletableFuture.supplyAsync(() -> read(io, 8192, 256)).get(10, TimeUnit.SECONDS);
                assertArrayEquals(edge, atLimit.data(), "128 KiB is still short");

                CompletableFuture<Result> longRead = CompletableFuture.supplyAsync(() -> read(io, 4096, 257));
                Thread.sleep(300);
                assertFalse(longRead.isDone(), "a 257-block read waits for a worker");
                gate.countDown();
                assertArrayEquals(big, longRead.get(10, TimeUnit.SECONDS).data());
            } finally {
                gate.countDown();
            }
        }
    }

    @Test
    void aLoneWriteWaitsForAWorker() throws Exception {
        try (NvmeTcpTestHost admin = NvmeTcpTestHost.admin(server.port(), NQN, HOST, 0);
                NvmeTcpTestHost io = NvmeTcpTestHost.io(server.port(), 1, admin.controllerId, NQN, HOST, false, false)) {
            CountDownLatch gate = new CountDownLatch(1);
            CountDownLatch busy = new CountDownLatch(2);
            for (int i = 0; i < 2; i++) {
                workers.execute(() -> {
                    busy.countDown();
                    await(gate);
                });
            }
            assertTrue(busy.await(10, TimeUnit.SECONDS));
            byte[] small = pattern(8 * 512, 4);
            try {
                CompletableFuture<Result> write = CompletableFuture.supplyAsync(() -> {
                    try {
                        return io.write(1, 64, small, false, true);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                Thread.sleep(300);
                assertFalse(write.isDone(), "writes always run on a worker");
                gate.countDown();
                assertTrue(write.get(10, TimeUnit.SECONDS).ok());
            } finally {
                gate.countDown();
            }
            assertArrayEquals(small, io.read(1, 64, 8).data());
        }
    }

    private static Result read(NvmeTcpTestHost io, long slba, int blocks) {
        try {
            return io.read(1, slba, blocks);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void await(CountDownLatch gate) {
        try {
            gate.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
