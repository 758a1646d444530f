package io.tamp.datapath.iscsi;

import io.netty.buffer.PooledByteBufAllocator;
import io.tamp.datapath.frontend.BlockDeviceContract;
import io.tamp.datapath.frontend.IoMetrics;
import io.tamp.datapath.scsi.ScsiDisk;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** The block-device suite over iSCSI: {@link SocketInitiator} against {@link ScsiDisk} on the portal. */
class IscsiBlockDeviceTest extends BlockDeviceContract {
    private static final String IQN = "iqn.2026-11.io.tamp.test:contract";
    private IscsiServer server;
    private long isid = 0x80_0000_1000_00L;

    @Override
    protected String host() {
        return IQN;
    }

    @Override
    protected void startServer() throws Exception {
        server = IscsiServer.start(new InetSocketAddress("127.0.0.1", 0), IscsiTargetConfig.builder().build(),
                new ScsiDisk(lunMap, workers, PooledByteBufAllocator.DEFAULT, metrics), 2);
    }

    @Override
    protected IoMetrics.Protocol protocol() {
        return IoMetrics.Protocol.ISCSI;
    }

    @Override
    protected void stopServer() {
        server.close();
    }

    @Override
    protected BlockDevice connect() throws Exception {
        SocketInitiator s = new SocketInitiator(server.port(), isid++);
        s.login(IQN);
        s.execute(new byte[] {0, 0, 0, 0, 0, 0}, null, 0); // TEST UNIT READY: takes the POWER ON unit attention
        return new BlockDevice() {
            private Outcome last = Outcome.OK;

            private Outcome outcome(SocketInitiator.ScsiResult r) {
                if (r.status() == 0) {
                    return Outcome.OK;
                }
                return (r.senseCode() >>> 8) == 0x0521 ? Outcome.OUT_OF_RANGE : Outcome.OTHER_ERROR;
            }

            private byte[] rw16(int opcode, long lba, int blocks, boolean fua) {
                ByteBuffer cdb = ByteBuffer.allocate(16);
                cdb.put(0, (byte) opcode).put(1, (byte) (fua ? 0x08 : 0)).putLong(2, lba).putInt(10, blocks);
                return cdb.array();
            }

            @Override
            public long capacityBlocks() throws Exception {
                byte[] cdb = new byte[16];
                cdb[0] = (byte) 0x9E;
                cdb[1] = 0x10;
                cdb[13] = 32;
                return ByteBuffer.wrap(s.execute(cdb, null, 32).data()).getLong(0) + 1;
            }

            @Override
            public Outcome write(long lba, byte[] data, boolean fua) throws Exception {
                return outcome(s.execute(rw16(0x8A, lba, data.length / BLOCK, fua), data, 0));
            }

            @Override
            public byte[] read(long lba, int blocks) throws Exception {
                SocketInitiator.ScsiResult r = s.execute(rw16(0x88, lba, blocks, false), null, blocks * BLOCK);
                last = outcome(r);
                return last == Outcome.OK ? r.data() : null;
            }

            @Override
            public Outcome lastOutcome() {
                return last;
            }

            @Override
            public Outcome deallocate(long lba, int blocks) throws Exception {
                ByteBuffer list = ByteBuffer.allocate(24);
                list.putShort(0, (short) 22).putShort(2, (short) 16).putLong(8, lba).putInt(16, blocks);
                byte[] cdb = new byte[10];
                cdb[0] = 0x42;
                cdb[8] = 24;
                return outcome(s.execute(cdb, list.array(), 0));
            }

            @Override
            public Outcome flush() throws Exception {
                byte[] cdb = new byte[10];
                cdb[0] = 0x35;
                return outcome(s.execute(cdb, null, 0));
            }

            @Override
            public void close() throws Exception {
                s.close();
            }
        };
    }
}
