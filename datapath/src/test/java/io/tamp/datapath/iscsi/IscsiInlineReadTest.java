package io.tamp.datapath.iscsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tamp.datapath.frontend.HeldWorkers;
import io.tamp.datapath.frontend.LunMap;
import io.tamp.datapath.scsi.ScsiDisk;
import io.tamp.datapath.volume.Engine;
import io.tamp.datapath.volume.EngineConfig;
import io.tamp.datapath.volume.Volume;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Over a real portal: a session's lone short READ runs on the event loop, but READs that arrive
 * together (one TCP segment) wait for the workers, so a deep queue is never run one command at a
 * time on the loop. Proven with every worker held.
 */
class IscsiInlineReadTest {
    private static final String HOST = "iqn.2026-11.example:inline";

    @TempDir
    Path dir;
    private Engine engine;
    private ExecutorService workers;
    private IscsiServer server;
    private HeldWorkers held;

    @BeforeEach
    void start() throws Exception {
        engine = Engine.open(EngineConfig.small(dir, 2, 64L << 20));
        Volume v = engine.createVolume("v", 4L << 20);
        LunMap lunMap = new LunMap();
        lunMap.map(HOST, 0, v);
        workers = Executors.newFixedThreadPool(2);
        server = IscsiServer.start(new InetSocketAddress("127.0.0.1", 0), IscsiTargetConfig.builder().build(),
                new ScsiDisk(lunMap, workers), 1);
    }

    @AfterEach
    void stop() throws Exception {
        if (held != null) {
            held.close();
        }
        server.close();
        workers.shutdownNow();
        engine.close();
    }

    @Test
    void aLoneReadRunsOnTheLoopButReadsArrivingTogetherWaitForWorkers() throws Exception {
        try (SocketInitiator s = new SocketInitiator(server.port(), 0x80_0000_3000_01L)) {
            s.login(HOST);
            s.execute(new byte[6], null, 0); // TEST UNIT READY: takes the POWER ON unit attention
            byte[] a = new byte[4096];
            byte[] b = new byte[4096];
            new Random(1).nextBytes(a);
            new Random(2).nextBytes(b);
            assertEquals(0, s.execute(cdb(0x2A, 0), a, 0).status());
            assertEquals(0, s.execute(cdb(0x2A, 8), b, 0).status());

            held = HeldWorkers.hold(workers, 2); // the pool has two workers

            SocketInitiator.ScsiResult lone = CompletableFuture.supplyAsync(() -> {
                try {
                    return s.execute(cdb(0x28, 0), null, 4096);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).get(10, TimeUnit.SECONDS);
            assertArrayEquals(a, lone.data(), "a lone READ needs no worker");

            s.sendTogether(s.command(cdb(0x28, 0), true, false, 4096), s.command(cdb(0x28, 8), true, false, 4096));
            CompletableFuture<Map<Integer, byte[]>> together = CompletableFuture.supplyAsync(() -> reads(s, 2));
            Thread.sleep(300);
            assertFalse(together.isDone(), "READs that arrive together wait for a worker");
            held.release();
            Map<Integer, byte[]> got = together.get(10, TimeUnit.SECONDS);
            assertEquals(2, got.size());
            var inOrder = new java.util.TreeMap<>(got).values().iterator();
            assertArrayEquals(a, inOrder.next());
            assertArrayEquals(b, inOrder.next());
        }
    }

    /** READ(10) or WRITE(10) of 8 blocks at lba. */
    private static byte[] cdb(int opcode, int lba) {
        byte[] c = new byte[10];
        c[0] = (byte) opcode;
        c[5] = (byte) lba;
        c[8] = 8;
        return c;
    }

    /** Data-in of n READs by initiator task tag, each ended by a status-bearing Data-In or a response. */
    private static Map<Integer, byte[]> reads(SocketInitiator s, int n) {
        Map<Integer, ByteArrayOutputStream> data = new HashMap<>();
        int finished = 0;
        try {
            while (finished < n) {
                IscsiPdu p = s.receive();
                if (p == null) {
                    throw new IOException("connection closed");
                }
                try {
                    int itt = p.bhs().initiatorTaskTag();
                    switch (p.opcode()) {
                        case SCSI_DATA_IN -> {
                            byte[] chunk = new byte[p.data().readableBytes()];
                            p.data().readBytes(chunk);
                            data.computeIfAbsent(itt, k -> new ByteArrayOutputStream()).writeBytes(chunk);
                            if (p.bhs().statusFlag()) {
                                assertEquals(0, p.bhs().status());
                                finished++;
                            }
                        }
                        case SCSI_RESPONSE -> {
                            assertEquals(0, p.bhs().status());
                            finished++;
                        }
                        default -> throw new IOException("unexpected " + p.opcode());
                    }
                } finally {
                    p.release();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<Integer, byte[]> out = new HashMap<>();
        data.forEach((k, v) -> out.put(k, v.toByteArray()));
        return out;
    }
}
