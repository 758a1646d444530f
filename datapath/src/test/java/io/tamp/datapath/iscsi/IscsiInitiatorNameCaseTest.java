package io.tamp.datapath.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tamp.datapath.frontend.LunMap;
import io.tamp.datapath.scsi.ScsiDisk;
import io.tamp.datapath.volume.Engine;
import io.tamp.datapath.volume.EngineConfig;
import io.tamp.datapath.volume.Volume;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LUN masking over a real portal and {@link ScsiDisk}: a host mapped as a lower-case IQN that
 * logs in spelling its name (and the target's) in capitals sees its LUNs, and only its own.
 */
class IscsiInitiatorNameCaseTest {
    private static final String HOST = "iqn.2026-11.example:host1";
    private static final String OTHER = "iqn.2026-11.example:host2";
    private static final long VOLUME_BYTES = 4L << 20;

    @TempDir
    Path dir;
    private Engine engine;
    private ExecutorService workers;
    private IscsiServer server;

    @BeforeEach
    void start() throws Exception {
        engine = Engine.open(EngineConfig.small(dir, 2, 64L << 20));
        Volume mine = engine.createVolume("mine", VOLUME_BYTES);
        Volume theirs = engine.createVolume("theirs", 2 * VOLUME_BYTES);
        LunMap lunMap = new LunMap();
        lunMap.map(HOST, 0, mine);
        lunMap.map(HOST, 5, engine.createVolume("second", VOLUME_BYTES));
        lunMap.map(OTHER, 0, theirs);
        workers = Executors.newFixedThreadPool(2);
        server = IscsiServer.start(new InetSocketAddress("127.0.0.1", 0), IscsiTargetConfig.builder().build(),
                new ScsiDisk(lunMap, workers), 1);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        workers.shutdownNow();
        engine.close();
    }

    @Test
    void anInitiatorSpellingItsNameInCapitalsSeesItsLuns() throws Exception {
        try (SocketInitiator s = new SocketInitiator(server.port(), 0x80_0000_2000_01L)) {
            s.login("IQN.2026-11.Example:HOST1", "IQN.2026-11.IO.TAMP:Controller");
            s.execute(new byte[6], null, 0); // TEST UNIT READY: takes the POWER ON unit attention

            byte[] reportLuns = new byte[12];
            reportLuns[0] = (byte) 0xA0;
            reportLuns[9] = (byte) 64;
            SocketInitiator.ScsiResult luns = s.execute(reportLuns, null, 64);
            assertEquals(0, luns.status());
            ByteBuffer list = ByteBuffer.wrap(luns.data());
            assertEquals(16, list.getInt(0), "two LUNs, 8 bytes each");
            assertEquals(0, list.getShort(8));
            assertEquals(5, list.getShort(16));

            byte[] readCapacity = new byte[10];
            readCapacity[0] = 0x25;
            SocketInitiator.ScsiResult cap = s.execute(readCapacity, null, 8);
            assertEquals(0, cap.status());
            assertEquals(VOLUME_BYTES / 512 - 1, ByteBuffer.wrap(cap.data()).getInt(0) & 0xFFFFFFFFL,
                    "LUN 0 is this host's volume, not the other host's");
        }
    }
}
