package io.tamp.datapath.nvmetcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tamp.datapath.frontend.HeldWorkers;
import io.tamp.datapath.nvmetcp.NvmeTcpTestHost.Result;
import java.util.concurrent.CompletableFuture;
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

            HeldWorkers held = HeldWorkers.hold(workers, 2); // the fixture's pool has two workers
            try {
                Result r = CompletableFuture.supplyAsync(() -> read(io, 0, 8)).get(10, TimeUnit.SECONDS);
                assertTrue(r.ok());
                assertArrayEquals(small, r.data(), "4 KiB read answered from the event loop");
                Result atLimit = CompletableFuture.supplyAsync(() -> read(io, 8192, 256)).get(10, TimeUnit.SECONDS);
                assertArrayEquals(edge, atLimit.data(), "128 KiB is still short");

                CompletableFuture<Result> longRead = CompletableFuture.supplyAsync(() -> read(io, 4096, 257));
                Thread.sleep(300);
                assertFalse(longRead.isDone(), "a 257-block read waits for a worker");
                held.release();
                assertArrayEquals(big, longRead.get(10, TimeUnit.SECONDS).data());
            } finally {
                held.close();
            }
        }
    }

    @Test
    void aLoneWriteWaitsForAWorker() throws Exception {
        try (NvmeTcpTestHost admin = NvmeTcpTestHost.admin(server.port(), NQN, HOST, 0);
                NvmeTcpTestHost io = NvmeTcpTestHost.io(server.port(), 1, admin.controllerId, NQN, HOST, false, false)) {
            HeldWorkers held = HeldWorkers.hold(workers, 2); // the fixture's pool has two workers
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
                held.release();
                assertTrue(write.get(10, TimeUnit.SECONDS).ok());
            } finally {
                held.close();
            }
            assertArrayEquals(small, io.read(1, 64, 8).data());
        }
    }

    @Test
    void readsThatArriveTogetherWaitForWorkers() throws Exception {
        try (NvmeTcpTestHost admin = NvmeTcpTestHost.admin(server.port(), NQN, HOST, 0);
                NvmeTcpTestHost io = NvmeTcpTestHost.io(server.port(), 1, admin.controllerId, NQN, HOST, false, false)) {
            byte[] a = pattern(8 * 512, 5);
            byte[] b = pattern(8 * 512, 6);
            assertTrue(io.write(1, 0, a, false, true).ok());
            assertTrue(io.write(1, 8, b, false, true).ok());
            HeldWorkers held = HeldWorkers.hold(workers, 2); // the fixture's pool has two workers
            try {
                // two 4 KiB reads in one TCP segment: the first has the second behind it, so neither is alone
                io.sendTogether(readCapsule(io, 0), readCapsule(io, 8));
                CompletableFuture<java.util.Map<Integer, byte[]>> done = CompletableFuture.supplyAsync(() -> reads(io, 2));
                Thread.sleep(300);
                assertFalse(done.isDone(), "reads that arrive together wait for a worker");
                held.release();
                java.util.Map<Integer, byte[]> got = done.get(10, TimeUnit.SECONDS);
                assertEquals(2, got.size());
                java.util.Iterator<byte[]> inOrder = new java.util.TreeMap<>(got).values().iterator();
                assertArrayEquals(a, inOrder.next());
                assertArrayEquals(b, inOrder.next());
            } finally {
                held.close();
            }
        }
    }

    private static io.tamp.datapath.nvmetcp.NvmeTcpPdu readCapsule(NvmeTcpTestHost io, long slba) {
        io.netty.buffer.ByteBuf s = io.sqe(0x02, 1);
        s.setLongLE(40, slba);
        s.setIntLE(48, 7); // 8 blocks
        NvmeTcpTestHost.sgl(s, 0x5A, 8 * 512);
        return io.capsule(s, null);
    }

    /** Data of n reads completed with C2HData SUCCESS or a response capsule, by command id. */
    private static java.util.Map<Integer, byte[]> reads(NvmeTcpTestHost io, int n) {
        java.util.Map<Integer, byte[]> data = new java.util.HashMap<>();
        java.util.Set<Integer> finished = new java.util.HashSet<>();
        try {
            while (finished.size() < n) {
                NvmeTcpPdu p = io.receive();
                if (p == null) {
                    throw new java.io.IOException("connection closed");
                }
                try {
                    switch (p.type()) {
                        case C2H_DATA -> {
                            int cid = p.u16(8);
                            byte[] d = data.computeIfAbsent(cid, k -> new byte[8 * 512]);
                            p.data().getBytes(p.data().readerIndex(), d, (int) p.u32(12), p.data().readableBytes());
                            if ((p.flags() & PduType.FLAG_SUCCESS) != 0) {
                                finished.add(cid);
                            }
                        }
                        case CAPSULE_RESP -> {
                            assertEquals(0, p.u16(22) >>> 1, "status");
                            finished.add(p.u16(20));
                        }
                        default -> throw new java.io.IOException("unexpected " + p.type());
                    }
                } finally {
                    p.release();
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return data;
    }

    private static Result read(NvmeTcpTestHost io, long slba, int blocks) {
        try {
            return io.read(1, slba, blocks);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
