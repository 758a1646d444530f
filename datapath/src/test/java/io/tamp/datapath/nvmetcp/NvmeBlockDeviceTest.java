package io.tamp.datapath.nvmetcp;

import io.netty.buffer.PooledByteBufAllocator;
import io.tamp.datapath.frontend.BlockDeviceContract;
import io.tamp.datapath.frontend.IoMetrics;
import io.tamp.datapath.nvme.NvmeSubsystem;
import io.tamp.datapath.nvme.Status;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The block-device suite over NVMe/TCP: {@link NvmeTcpTestHost} admin + I/O queue against the subsystem. */
class NvmeBlockDeviceTest extends BlockDeviceContract {
    private static final String HOST = "nqn.2014-08.org.nvmexpress:uuid:00000000-0000-0000-0000-0000000000c0";
    private NvmeSubsystem subsystem;
    private NvmeTcpServer server;

    @Override
    protected String host() {
        return HOST;
    }

    @Override
    protected void startServer() throws Exception {
        subsystem = new NvmeSubsystem(NvmeSubsystem.DEFAULT_NQN, lunMap, workers, PooledByteBufAllocator.DEFAULT,
                engine::flush, 7, metrics);
        server = NvmeTcpServer.start(new InetSocketAddress("127.0.0.1", 0), subsystem, 2);
    }

    @Override
    protected IoMetrics.Protocol protocol() {
        return IoMetrics.Protocol.NVME;
    }

    @Override
    protected void stopServer() {
        server.close();
        subsystem.close();
    }

    @Override
    protected BlockDevice connect() throws Exception {
        NvmeTcpTestHost admin = NvmeTcpTestHost.admin(server.port(), NvmeSubsystem.DEFAULT_NQN, HOST, 0);
        NvmeTcpTestHost io = NvmeTcpTestHost.io(server.port(), 1, admin.controllerId, NvmeSubsystem.DEFAULT_NQN, HOST,
                false, false);
        return new BlockDevice() {
            private Outcome last = Outcome.OK;

            private Outcome outcome(NvmeTcpTestHost.Result r) {
                if (r.ok()) {
                    return Outcome.OK;
                }
                return r.status() == Status.LBA_OUT_OF_RANGE ? Outcome.OUT_OF_RANGE : Outcome.OTHER_ERROR;
            }

            @Override
            public long capacityBlocks() throws Exception {
                return ByteBuffer.wrap(admin.identify(0x00, 1, 0).data()).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            }

            @Override
            public Outcome write(long lba, byte[] data, boolean fua) throws Exception {
                return outcome(io.write(1, lba, data, fua, data.length <= 4096));
            }

            @Override
            public byte[] read(long lba, int blocks) throws Exception {
                NvmeTcpTestHost.Result r = io.read(1, lba, blocks);
                last = outcome(r);
                return last == Outcome.OK ? r.data() : null;
            }

            @Override
            public Outcome lastOutcome() {
                return last;
            }

            @Override
            public Outcome deallocate(long lba, int blocks) throws Exception {
                return outcome(io.deallocate(1, lba, blocks));
            }

            @Override
            public Outcome flush() throws Exception {
                return outcome(io.flush(1));
            }

            @Override
            public void close() throws Exception {
                io.close();
                admin.close();
            }
        };
    }
}
