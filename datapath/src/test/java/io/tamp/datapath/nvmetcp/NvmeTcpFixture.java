package io.tamp.datapath.nvmetcp;

import io.netty.buffer.PooledByteBufAllocator;
import io.tamp.datapath.frontend.IoMetrics;
import io.tamp.datapath.frontend.LunMap;
import io.tamp.datapath.nvme.NvmeSubsystem;
import io.tamp.datapath.volume.Engine;
import io.tamp.datapath.volume.EngineConfig;
import io.tamp.datapath.volume.Volume;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A real engine with one 64 MiB volume mapped to {@link #HOST} as NSID 1, served on a loopback NVMe/TCP port. */
abstract class NvmeTcpFixture {
    static final String NQN = NvmeSubsystem.DEFAULT_NQN;
    static final String HOST = "nqn.2014-08.org.nvmexpress:uuid:00000000-0000-0000-0000-00000000000a";
    static final String STRANGER = "nqn.2014-08.org.nvmexpress:uuid:00000000-0000-0000-0000-0000000000ff";
    static final long VOLUME_BYTES = 64L << 20;

    @TempDir
    Path dir;
    Engine engine;
    Volume volume;
    LunMap lunMap;
    ExecutorService workers;
    IoMetrics metrics;
    NvmeSubsystem subsystem;
    NvmeTcpServer server;

    @BeforeEach
    void start() throws Exception {
        engine = Engine.open(EngineConfig.small(dir, 2, 128L << 20));
        volume = engine.createVolume("v", VOLUME_BYTES);
        lunMap = new LunMap();
        lunMap.map(HOST, 0, volume);
        workers = Executors.newFixedThreadPool(2);
        metrics = new IoMetrics();
        subsystem = new NvmeSubsystem(NQN, lunMap, workers, PooledByteBufAllocator.DEFAULT, engine::flush, 42, metrics);
        server = NvmeTcpServer.start(new InetSocketAddress("127.0.0.1", 0), subsystem, 2);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        subsystem.close();
        workers.shutdownNow();
        engine.close();
    }

    static byte[] pattern(int bytes, long seed) {
        byte[] b = new byte[bytes];
        new Random(seed).nextBytes(b);
        return b;
    }

}
