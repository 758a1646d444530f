package io.tamp.datapath.iscsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tamp.datapath.scsi.ScsiResponse;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Misbehaving sessions over real TCP against one {@link IscsiServer}: one drops its connection
 * in the middle of a write's Data-Out, another sends a malformed PDU and a data segment longer
 * than it negotiated. The target answers each as RFC 7143 prescribes, writes nothing that was
 * not acknowledged, and a well-behaved session on the same server carries on throughout.
 */
class IscsiSessionIsolationTest {
    private static final int BLOCK = FakeScsiDisk.BLOCK_BYTES;
    private final FakeScsiDisk disk = new FakeScsiDisk(4096);
    private IscsiServer server;

    @BeforeEach
    void start() throws InterruptedException {
        server = IscsiServer.start(new InetSocketAddress("127.0.0.1", 0), IscsiTargetConfig.builder().build(), disk, 2);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static byte[] rw10(int opcode, int lba, int blocks) {
        byte[] cdb = new byte[16];
        cdb[0] = (byte) opcode;
        cdb[2] = (byte) (lba >>> 24);
        cdb[3] = (byte) (lba >>> 16);
        cdb[4] = (byte) (lba >>> 8);
        cdb[5] = (byte) lba;
        cdb[8] = (byte) blocks;
        return cdb;
    }

    private static byte[] pattern(int bytes, long seed) {
        byte[] b = new byte[bytes];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A whole write through R2T and Data-Out, then a read back of the same blocks. */
    private static void writeAndReadBack(SocketInitiator s, int lba, byte[] data) throws Exception {
        s.send(s.command(rw10(0x2a, lba, data.length / BLOCK), false, true, data.length));
        int offset = 0;
        while (true) {
            IscsiPdu p = s.receive();
            assertNotNull(p, "the good session lost its connection");
            try {
                if (p.opcode() == IscsiOpcode.SCSI_RESPONSE) {
                    assertEquals(ScsiResponse.GOOD, p.bhs().status());
                    break;
                }
                assertEquals(IscsiOpcode.R2T, p.opcode());
                int length = p.bhs().desiredDataTransferLength();
                s.send(s.dataOut(p, 0, p.bhs().bufferOffset(), data, p.bhs().bufferOffset(), length, true));
                offset += length;
            } finally {
                p.release();
            }
        }
        assertEquals(data.length, offset);
        s.send(s.command(rw10(0x28, lba, data.length / BLOCK), true, false, data.length));
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        while (true) {
            IscsiPdu p = s.receive();
            assertNotNull(p, "the good session lost its connection");
            try {
                assertEquals(IscsiOpcode.SCSI_DATA_IN, p.opcode());
                byte[] chunk = new byte[p.data().readableBytes()];
                p.data().readBytes(chunk);
                back.write(chunk);
                if (p.bhs().statusFlag()) {
                    break;
                }
            } finally {
                p.release();
            }
        }
        assertArrayEquals(data, back.toByteArray());
    }

    @Test
    void aConnectionDroppedMidDataOutWritesNothingAndDisturbsNoOne() throws Exception {
        try (SocketInitiator good = new SocketInitiator(server.port(), 0x80_0000_0001_00L)) {
            good.login("iqn.2026-11.io.tamp.test:good");
            writeAndReadBack(good, 0, pattern(8 * BLOCK, 1));

            try (SocketInitiator dropper = new SocketInitiator(server.port(), 0x80_0000_0002_00L)) {
                dropper.login("iqn.2026-11.io.tamp.test:dropper");
                byte[] data = pattern(8 * BLOCK, 2);
                dropper.send(dropper.command(rw10(0x2a, 100, 8), false, true, data.length));
                IscsiPdu r2t = dropper.receive();
                assertEquals(IscsiOpcode.R2T, r2t.opcode());
                dropper.send(dropper.dataOut(r2t, 0, 0, data, 0, 4 * BLOCK, false)); // half, then gone
                r2t.release();
                writeAndReadBack(good, 16, pattern(4 * BLOCK, 3)); // interleaved with the half-done write
            }
            writeAndReadBack(good, 32, pattern(16 * BLOCK, 4));
            Thread.sleep(200); // let the server see the close
            assertArrayEquals(new byte[8 * BLOCK], Arrays.copyOfRange(disk.bytes(), 100 * BLOCK, 108 * BLOCK),
                    "a write whose data never all arrived must not reach the disk");
        }
    }

    @Test
    void aLoginWithTheSameIsidReinstatesTheSession() throws Exception {
        long isid = 0x80_0000_0006_00L;
        try (SocketInitiator first = new SocketInitiator(server.port(), isid);
                SocketInitiator other = new SocketInitiator(server.port(), 0x80_0000_0007_00L)) {
            first.login("iqn.2026-11.io.tamp.test:esx");
            other.login("iqn.2026-11.io.tamp.test:esx"); // same initiator, another ISID: a second session
            writeAndReadBack(first, 400, pattern(2 * BLOCK, 7));
            try (SocketInitiator again = new SocketInitiator(server.port(), isid)) {
                again.login("iqn.2026-11.io.tamp.test:esx"); // the host lost its connection and logs in anew
                assertTrue(first.closedByTarget(), "RFC 7143 6.3.5: the old connection of the session is closed");
                writeAndReadBack(again, 402, pattern(2 * BLOCK, 8));
                writeAndReadBack(other, 404, pattern(2 * BLOCK, 9));
            }
        }
    }

    @Test
    void idleConnectionsArePingedAndASilentInitiatorIsDropped() throws Exception {
        IscsiServer pinging = IscsiServer.start(new InetSocketAddress("127.0.0.1", 0),
                IscsiTargetConfig.builder().nopInIntervalMs(150).build(), disk, 1);
        try (SocketInitiator s = new SocketInitiator(pinging.port(), 0x80_0000_0008_00L)) {
            s.login("iqn.2026-11.io.tamp.test:idle");
            for (int i = 0; i < 2; i++) { // answered pings keep the connection
                IscsiPdu ping = s.receive();
                assertEquals(IscsiOpcode.NOP_IN, ping.opcode());
                assertEquals(0xffff_ffff, ping.bhs().initiatorTaskTag(), "a target ping has no ITT");
                int ttt = ping.bhs().targetTransferTag();
                assertTrue(ttt != 0xffff_ffff, "and asks for an answer");
                ping.release();
                IscsiPdu pong = IscsiPdu.create(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, IscsiOpcode.NOP_OUT);
                pong.bhs().immediate(true).finalFlag(true).initiatorTaskTag(0xffff_ffff).targetTransferTag(ttt)
                        .cmdSn(s.cmdSn).expStatSn(s.expStatSn);
                s.send(pong);
            }
            writeAndReadBack(s, 500, pattern(BLOCK, 10));
            assertTrue(s.closedByTarget(), "an unanswered ping ends the connection");
        } finally {
            pinging.close();
        }
    }

    @Test
    void malformedPdusAreAnsweredOnTheirOwnConnectionOnly() throws Exception {
        try (SocketInitiator good = new SocketInitiator(server.port(), 0x80_0000_0003_00L)) {
            good.login("iqn.2026-11.io.tamp.test:good");

            // An unknown opcode: Reject (reason 0x05, command not supported), the session goes on.
            try (SocketInitiator odd = new SocketInitiator(server.port(), 0x80_0000_0004_00L)) {
                odd.login("iqn.2026-11.io.tamp.test:odd");
                byte[] bhs = new byte[48];
                bhs[0] = 0x1e;
                bhs[1] = (byte) 0x80;
                odd.sendRaw(bhs);
                IscsiPdu reject = odd.receive();
                assertEquals(IscsiOpcode.REJECT, reject.opcode());
                assertEquals(0x05, reject.bhs().rejectReason());
                reject.release();
                writeAndReadBack(odd, 200, pattern(2 * BLOCK, 5));
            }

            // A data segment longer than the MaxRecvDataSegmentLength the target declared (256 KiB):
            // the stream cannot be trusted past it, so the target closes this connection.
            try (SocketInitiator big = new SocketInitiator(server.port(), 0x80_0000_0005_00L)) {
                big.login("iqn.2026-11.io.tamp.test:big");
                byte[] bhs = new byte[48];
                bhs[0] = 0x00; // NOP-Out
                bhs[1] = (byte) 0x80;
                int length = IscsiTargetConfig.DEFAULT_MAX_RECV_DATA_SEGMENT_BYTES + 4;
                bhs[5] = (byte) (length >>> 16);
                bhs[6] = (byte) (length >>> 8);
                bhs[7] = (byte) length;
                Arrays.fill(bhs, 16, 20, (byte) 0xff); // ITT 0xffffffff
                big.sendRaw(bhs);
                assertTrue(big.closedByTarget(), "an over-long data segment must end the connection");
            }

            writeAndReadBack(good, 300, pattern(8 * BLOCK, 6));
        }
    }
}
