package io.tamp.datapath.nvmetcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tamp.datapath.frontend.Crc32c;
import io.tamp.datapath.frontend.IoMetrics;
import io.tamp.datapath.frontend.IoMetrics.Op;
import io.tamp.datapath.nvme.NvmeSubsystem;
import io.tamp.datapath.nvme.Status;
import io.tamp.datapath.nvmetcp.NvmeTcpTestHost.Result;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The NVMe/TCP target end to end over loopback TCP against a real engine: initialization,
 * Connect, the controller state machine, Identify, I/O with in-capsule data and R2T, reads
 * (with and without the SUCCESS flag), logs, features, keep alive, asynchronous events,
 * discovery, access control, and the fatal and non-fatal errors the spec prescribes.
 */
class NvmeTcpEndToEndTest extends NvmeTcpFixture {
    private static String ascii(byte[] b, int from, int length) {
        return new String(b, from, length, StandardCharsets.US_ASCII).replace("\0", "").trim();
    }

    private static long le64(byte[] b, int at) {
        return ByteBuffer.wrap(b, at, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static int le32(byte[] b, int at) {
        return ByteBuffer.wrap(b, at, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
    }

    @Test
    void adminQueueIdentifiesControllerAndNamespace() throws Exception {
        try (NvmeTcpTestHost admin = NvmeTcpTestHost.admin(server.port(), NQN, HOST, 0)) {
            assertEquals(NvmeTcpConnectionHandler.MAX_H2C_DATA, admin.maxH2CData);
            assertEquals(0x0001_0400L, admin.propertyGet(0x08, false).dw0(), "VS 1.4");
            long cap = admin.propertyGet(0x00, true).dw0();
            assertEquals(127, cap & 0xFFFF, "MQES");
            byte[] ctrl = admin.identify(0x01, 0, 0).data();
            assertEquals(NQN, ascii(ctrl, 768, 256));
            assertEquals(admin.controllerId, (ctrl[78] & 0xFF) | (ctrl[79] & 0xFF) << 8);
            assertEquals(8, ctrl[77], "MDTS 1 MiB");
            assertEquals(1, ctrl[111], "an I/O controller");
            assertEquals(0x07, ctrl[525], "VWC: a volatile write cache, Flush of all namespaces");
            assertEquals((NvmeSubsystem.IO_IN_CAPSULE_BYTES + 64) / 16, le32(ctrl, 1792), "IOCCSZ");
            byte[] list = admin.identify(0x02, 0, 0).data();
            assertEquals(1, le32(list, 0));
            assertEquals(0, le32(list, 4));
            byte[] ns = admin.identify(0x00, 1, 0).data();
            assertEquals(VOLUME_BYTES / 512, le64(ns, 0), "NSZE");
            assertEquals(1, ns[24] & 0x01, "thin provisioned");
            assertEquals(7, ns[36], "NAWUPF: 4 KiB writes are power-fail atomic");
            assertEquals(9, ns[128 + 2], "512-byte LBAs");
            assertEquals(0x09, ns[33], "DLFEAT: deallocated reads zeros");
            byte[] ids = admin.identify(0x03, 1, 0).data();
            assertEquals(2, ids[0], "NGUID first");
            assertArrayEquals(Arrays.copyOfRange(ns, 104, 120), Arrays.copyOfRange(ids, 4, 20), "same NGUID");
            assertEquals(Status.INVALID_NAMESPACE, admin.identify(0x03, 7, 0).status());
            assertTrue(admin.identify(0x00, 7, 0).ok(), "an inactive NSID identifies as zeros");
            assertEquals(Status.INVALID_FIELD, admin.identify(0x06, 0, 2).status(), "unknown command set");
        }
    }

    @Test
    void ioQueueWritesReadsAndDeallocates() throws Exception {
        try (NvmeTcpTestHost admin = NvmeTcpTestHost.admin(server.port(), NQN, HOST, 0);
                NvmeTcpTestHost io = NvmeTcpTestHost.io(server.port(), 1, admin.controllerId, NQN, HOST, false, false)) {
            byte[] small = pattern(4096, 1);
            assertTrue(io.write(1, 8, small, false, true).ok(), "in-capsule write");
            byte[] big = pattern(300 * 1024, 2); // three R2Ts of at most MAXH2CDATA
            assertTrue(io.write(1, 1000, big, true, false).ok(), "R2T write");
            Result r = io.read(1, 8, 8);
            assertTrue(r.ok());
            assertFalse(r.viaSuccessFlag(), "SQ flow control on: a response capsule reports SQHD");
            assertArrayEquals(small, r.data());
            assertArrayEquals(big, io.read(1, 1000, big.length / 512).data());
            assertTrue(io.flush(1).ok());
            assertTrue(io.flush(0xFFFF_FFFFL).ok(), "flush of every namespace");

            assertTrue(io.compare(1, 8, small).ok());
            assertEquals(Status.COMPARE_FAILURE, io.compare(1, 8, pattern(4096, 9)).status());

            assertTrue(io.writeZeroes(1, 1000, 16, true).ok());
            assertArrayEquals(new byte[16 * 512], io.read(1, 1000, 16).data());
            assertTrue(io.deallocate(1, 8, 8).ok());
            // Linux sends DSM with a 4 KiB buffer whatever the range count: the ranges beyond NR are ignored
            ByteBuf dsm = io.sqe(0x09, 1);
            dsm.setIntLE(40, 0);
            dsm.setIntLE(44, 0x04);
            byte[] page = new byte[4096];
            ByteBuf ranges = Unpooled.wrappedBuffer(page).writerIndex(0);
            ranges.writeIntLE(0).writeIntLE(8).writeLongLE(1000);
            ranges.writeIntLE(0).writeIntLE(1 << 30).writeLongLE(1L << 40); // past NR: never looked at
            assertTrue(io.execute(dsm, page, 0, true).ok(), "DSM with a 4 KiB range buffer");
            assertArrayEquals(new byte[4096], io.read(1, 8, 8).data());
            assertFalse(volume.isMapped(1), "the 4 KiB block at LBA 8 was deallocated");

            long last = VOLUME_BYTES / 512;
            assertEquals(Status.LBA_OUT_OF_RANGE, io.read(1, last - 1, 2).status());
            assertEquals(Status.LBA_OUT_OF_RANGE, io.write(1, last, small, false, true).status());
            assertEquals(Status.INVALID_NAMESPACE, io.read(2, 0, 1).status());
            assertEquals(Status.INVALID_OPCODE, io.execute(io.sqe(0x7E, 1), null, 0, false).status());

            byte[] smart = admin.getLogPage(0x02, 512, 0xFFFF_FFFFL).data();
            assertEquals(2, le64(smart, 80), "host write commands: the two Writes that succeeded");
            assertTrue(le64(smart, 64) >= 4, "host read commands counted");
            assertTrue(le64(smart, 48) >= 1, "data units written counted");
        }
    }

    @Test
    void ioCommandsAreRecordedByKindForTheNamespacesVolume() throws Exception {
        try (NvmeTcpTestHost admin = NvmeTcpTestHost.admin(server.port(), NQN, HOST, 0);
                NvmeTcpTestHost io = NvmeTcpTestHost.io(server.port(), 1, admin.controllerId, NQN, HOST, false, false)) {
            byte[] big = pattern(300 * 1024, 3);
            assertTrue(io.write(1, 0, big, false, false).ok(), "R2T write");
            byte[] small = pattern(4096, 4);
            assertTrue(io.write(1, 2048, small, false, true).ok(), "in-capsule write");
            assertArrayEquals(big, io.read(1, 0, big.length / 512).data());
            assertTrue(io.compare(1, 2048, small).ok());
            assertEquals(Status.COMPARE_FAILURE, io.compare(1, 2048, pattern(4096, 5)).status());
            assertTrue(io.writeZeroes(1, 4096, 8, false).ok());
            assertTrue(io.deallocate(1, 4096, 8).ok());
            assertTrue(io.flush(1).ok());
            assertTrue(io.flush(0xFFFF_FFFFL).ok(), "every namespace: no one volume to count it for");
            assertEquals(Status.INVALID_NAMESPACE, io.read(2, 0, 1).status());
            assertEquals(Status.INVALID_OPCODE, io.execute(io.sqe(0x7E, 1), null, 0, false).status());
        }
        assertEquals(1, metrics.series().size());
        IoMetrics.Series s = metrics.series().get(0);
        assertEquals(volume.id(), s.volumeId());
        assertEquals(IoMetrics.Protocol.NVME, s.protocol());
        assertEquals(2, s.ops(Op.WRITE));
        assertEquals(300 * 1024 + 4096, s.bytes(Op.WRITE));
        assertEquals(1, s.ops(Op.READ));
        assertEquals(300 * 1024, s.bytes(Op.READ));
        assertEquals(5, s.ops(Op.OTHER), "two Compares, Write Zeroes, Dataset Management, Flush");
        assertEquals(2 * 4096 + 16, s.bytes(Op.OTHER), "compare data and one DSM range");
        assertEquals(1, s.errors(Op.OTHER));
        assertEquals(1, s.errors());
        assertEquals(2, s.latency(Op.WRITE).getTotalCount());
    }

    @Test
    void aWritePastTheWriteBufferWaitsForItsR2TUntilRoomFreesUp() throws Exception {
        subsystem.writeBuffer().limit(300 * 1024);
        try (NvmeTcpTestHost admin = NvmeTcpTestHost.admin(server.port(), NQN, HOST, 0);
                NvmeTcpTestHost io = NvmeTcpTestHost.io(server.port(), 1, admin.controllerId, NQN, HOST, false, false)) {
            byte[] a = pattern(256 * 1024, 31);
            byte[] b = pattern(256 * 1024, 32);
            int[] cids = new int[2];
            long[] lbas = {0, 4096};
            for (int i = 0; i < 2; i++) {
                ByteBuf s = io.sqe(0x01, 1);
                s.setLongLE(40, lbas[i]);
                s.setIntLE(48, 511);
                NvmeTcpTestHost.sgl(s, 0x5A, 256 * 1024);
                cids[i] = s.getUnsignedShortLE(2);
                io.send(io.capsule(s, null));
            }
            // Only the first gets an R2T: 2 x 256 KiB does not fit in 300 KiB. Answer every R2T
            // as it comes; the second write's first R2T comes only once the first has completed.
            int responses = 0;
            boolean firstDone = false;
            while (responses < 2) {
                NvmeTcpPdu p = io.receive();
                try {
                    if (p.type() == PduType.R2T) {
                        int cid = p.u16(8);
                        if (cid == cids[1]) {
                            assertTrue(firstDone, "the second write was solicited before there was room");
                        }
                        byte[] data = cid == cids[0] ? a : b;
                        int offset = (int) p.u32(12);
                        int length = (int) p.u32(16);
                        NvmeTcpPdu d = NvmeTcpPdu.create(UnpooledByteBufAllocator.DEFAULT, PduType.H2C_DATA,
                                Unpooled.wrappedBuffer(data, offset, length));
                        d.u16(8, cid).u16(10, p.u16(10)).u32(12, offset).u32(16, length).flags(PduType.FLAG_LAST_PDU);
                        io.send(d);
                    } else {
                        assertEquals(PduType.CAPSULE_RESP, p.type());
                        assertEquals(0, p.u16(22) >>> 1, "status");
                        firstDone |= p.u16(20) == cids[0];
                        responses++;
                    }
                } finally {
                    p.release();
                }
            }
            assertArrayEquals(a, io.read(1, 0, 512).data());
            assertArrayEquals(b, io.read(1, 4096, 512).data());
        }
    }

    @Test
    void completionsReportTheSubmissionQueueHead() throws Exception {
        try (NvmeTcpTestHost admin = NvmeTcpTestHost.admin(server.port(), NQN, HOST, 0);
                NvmeTcpTestHost io = NvmeTcpTestHost.io(server.port(), 1, admin.controllerId, NQN, HOST, false, false)) {
            // The I/O queue has 64 entries (SQSIZE 63); Connect consumed one. SQHD counts every
            // entry the controller has taken, wrapping at the queue size.
            int previous = io.flush(1).sqhd();
            for (int i = 0; i < 70; i++) {
                int sqhd = io.flush(1).sqhd();
                assertEquals((previous + 1) % 64, sqhd, "command " + i);
                previous = sqhd;
            }
        }
    }

    @Test
    void successFlagReplacesTheResponseWhenSqFlowControlIsOff() throws Exception {
        try (NvmeTcpTestHost admin = NvmeTcpTestHost.admin(server.port(), NQN, HOST, 0);
                NvmeTcpTestHost io = NvmeTcpTestHost.io(server.port(), 1, admin.controllerId, NQN, HOST, true, true)) {
            assertTrue(io.headerDigest && io.dataDigest, "digests negotiated");
            byte[] data = pattern(64 * 1024, 3);
            assertTrue(io.write(1, 0, data, false, false).ok());
            Result r = io.read(1, 0, data.length / 512);
            assertTrue(r.viaSuccessFlag());
            assertArrayEquals(data, r.data());
            assertEquals(Status.LBA_OUT_OF_RANGE, io.read(1, VOLUME_BYTES / 512, 1).status(), "errors still respond");
        }
    }

    @Test
    void controllerStateMachineAndFeatures() throws Exception {
        try (NvmeTcpTestHost h = new NvmeTcpTestHost(server.port())) {
            h.initialize(false, false, 0);
            assertEquals(Status.COMMAND_SEQUENCE_ERROR, h.identify(0x01, 0, 0).status(), "nothing before Connect");
            assertEquals(0, h.connect(0, 32, 0, 0xFFFF, NQN, HOST, false).status());
            assertEquals(Status.COMMAND_SEQUENCE_ERROR, h.identify(0x01, 0, 0).status(), "disabled controller");
            try (NvmeTcpTestHost early = new NvmeTcpTestHost(server.port())) {
                early.initialize(false, false, 0);
                assertEquals(Status.COMMAND_SEQUENCE_ERROR,
                        early.connect(1, 16, 0, h.controllerId, NQN, HOST, false).status(), "I/O queue before CC.EN");
            }
            h.enable();
            assertTrue(h.identify(0x01, 0, 0).ok());
            Result q = h.setFeatures(0x07, 3 | 3 << 16);
            assertEquals(3 | 3 << 16, q.dw0(), "four I/O queues granted");
            assertEquals(1, h.getFeatures(0x06).dw0(), "volatile write cache on");
            assertTrue(h.setFeatures(0x06, 0).ok());
            assertEquals(0, h.getFeatures(0x06).dw0());
            assertEquals(Status.INVALID_FIELD, h.setFeatures(0x7D, 0).status());
            assertEquals(Status.INVALID_LOG_PAGE, h.getLogPage(0x7F, 512, 0).status());
            // shutdown: CC.SHN = 01b, CSTS.SHST reports complete
            assertTrue(h.propertySet(0x14, 1 | 6 << 16 | 4 << 20 | 1 << 14).ok());
            assertEquals(0x08, h.propertyGet(0x1C, false).dw0() & 0x0C);
        }
    }

    @Test
    void accessControlAndBadConnects() throws Exception {
        try (NvmeTcpTestHost h = new NvmeTcpTestHost(server.port())) {
            h.initialize(false, false, 0);
            assertEquals(Status.CONNECT_INVALID_HOST, h.connect(0, 32, 0, 0xFFFF, NQN, STRANGER, false).status());
            Result wrongSubsystem = h.connect(0, 32, 0, 0xFFFF, "nqn.2026-11.io.tamp:other", HOST, false);
            assertEquals(Status.CONNECT_INVALID_PARAMETERS, wrongSubsystem.status());
            assertEquals(1L << 16 | 256, wrongSubsystem.dw0(), "IATTR data, IPO 256: SUBNQN");
            assertEquals(Status.CONNECT_INVALID_PARAMETERS, h.connect(0, 8, 0, 0xFFFF, NQN, HOST, false).status(),
                    "an admin queue needs 32 entries");
            assertEquals(Status.CONNECT_INVALID_PARAMETERS, h.connect(1, 16, 0, 0x1234, NQN, HOST, false).status(),
                    "no such controller");
        }
    }

    @Test
    void keepAliveTimeoutTearsTheControllerDown() throws Exception {
        try (NvmeTcpTestHost admin = NvmeTcpTestHost.admin(server.port(), NQN, HOST, 300);
                NvmeTcpTestHost io = NvmeTcpTestHost.io(server.port(), 1, admin.controllerId, NQN, HOST, false, false)) {
            for (int i = 0; i < 4; i++) {
                Thread.sleep(150);
                assertTrue(admin.keepAlive().ok(), "kept alive");
            }
            assertTrue(io.read(1, 0, 1).ok());
            assertEquals(-1, admin.terminationStatus(), "silence: the controller closes its queues");
            assertEquals(-1, io.terminationStatus());
        }
    }

    @Test
    void mappingAVolumeRaisesANamespaceAttributeNotice() throws Exception {
        try (NvmeTcpTestHost admin = NvmeTcpTestHost.admin(server.port(), NQN, HOST, 0)) {
            assertTrue(admin.setFeatures(0x0B, 1 << 8).ok());
            ByteBuf aer = admin.sqe(0x0C, 0);
            int aerCid = aer.getUnsignedShortLE(2);
            admin.send(admin.capsule(aer, null));
            lunMap.map(HOST, 4, engine.createVolume("w", 1 << 20));
            NvmeTcpPdu resp = admin.receive();
            try {
                assertEquals(PduType.CAPSULE_RESP, resp.type());
                assertEquals(aerCid, resp.u16(20));
                assertEquals(0x02 | 0x04 << 16, resp.u32(8), "notice, namespace attribute changed, log 04h");
            } finally {
                resp.release();
            }
            byte[] changed = admin.getLogPage(0x04, 4096, 0).data();
            assertEquals(5, le32(changed, 0), "NSID 5 = LUN 4");
            assertEquals(0, le32(changed, 4));
            byte[] list = admin.identify(0x02, 0, 0).data();
            assertEquals(5, le32(list, 4));
            assertEquals(0, le32(admin.getLogPage(0x04, 4096, 0).data(), 0), "reading the log cleared it");
        }
    }

    @Test
    void growingAVolumeRaisesANamespaceAttributeNotice() throws Exception {
        try (NvmeTcpTestHost admin = NvmeTcpTestHost.admin(server.port(), NQN, HOST, 0)) {
            assertTrue(admin.setFeatures(0x0B, 1 << 8).ok());
            ByteBuf aer = admin.sqe(0x0C, 0);
            admin.send(admin.capsule(aer, null));
            engine.resizeVolume(volume, 2 * VOLUME_BYTES); // no one tells the NVMe side
            NvmeTcpPdu resp = admin.receive();
            try {
                assertEquals(0x02 | 0x04 << 16, resp.u32(8));
            } finally {
                resp.release();
            }
            assertEquals(1, le32(admin.getLogPage(0x04, 4096, 0).data(), 0), "NSID 1 changed");
            assertEquals(2 * VOLUME_BYTES / 512, le64(admin.identify(0x00, 1, 0).data(), 0), "new NSZE");
        }
    }

    @Test
    void discoveryListsThePortToAllowedHostsOnly() throws Exception {
        try (NvmeTcpTestHost d = NvmeTcpTestHost.admin(server.port(), NvmeSubsystem.DISCOVERY_NQN, HOST, 0)) {
            assertEquals(2, d.identify(0x01, 0, 0).data()[111], "a discovery controller");
            byte[] log = d.getLogPage(0x70, 2048, 0).data();
            assertEquals(1, le64(log, 8), "one record");
            assertEquals(3, log[1024], "TCP");
            assertEquals(Integer.toString(server.port()), ascii(log, 1024 + 32, 32));
            assertEquals("127.0.0.1", ascii(log, 1024 + 512, 256));
            assertEquals(NQN, ascii(log, 1024 + 256, 256));
        }
        try (NvmeTcpTestHost d = NvmeTcpTestHost.admin(server.port(), NvmeSubsystem.DISCOVERY_NQN, STRANGER, 0)) {
            assertEquals(0, le64(d.getLogPage(0x70, 1024, 0).data(), 8), "nothing for a host with no volume");
        }
    }

    @Test
    void fatalPduErrorsTerminateOnlyTheirOwnConnection() throws Exception {
        try (NvmeTcpTestHost admin = NvmeTcpTestHost.admin(server.port(), NQN, HOST, 0);
                NvmeTcpTestHost io = NvmeTcpTestHost.io(server.port(), 1, admin.controllerId, NQN, HOST, false, false)) {
            // a capsule before ICReq: PDU sequence error
            try (NvmeTcpTestHost h = new NvmeTcpTestHost(server.port())) {
                h.send(h.capsule(h.sqe(0x06, 0), null));
                assertEquals(0x02, h.terminationStatus());
            }
            // an unknown PDU type: invalid header field
            try (NvmeTcpTestHost h = new NvmeTcpTestHost(server.port())) {
                h.initialize(false, false, 0);
                h.sendRaw(new byte[] {0x0F, 0, 24, 0, 24, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
                assertEquals(0x01, h.terminationStatus());
            }
            // a header digest that does not match: header digest error
            try (NvmeTcpTestHost h = new NvmeTcpTestHost(server.port())) {
                h.initialize(true, false, 0);
                ByteBuf s = h.sqe(0x06, 0);
                byte[] wire = new byte[72 + 4];
                wire[0] = 0x04;
                wire[1] = 0x01;
                wire[2] = 72;
                wire[4] = 76;
                s.getBytes(0, wire, 8, 64);
                s.release();
                wire[72] = 0x55; // not the CRC
                h.sendRaw(wire);
                assertEquals(0x03, h.terminationStatus());
            }
            // H2CData larger than MAXH2CDATA: data transfer limit exceeded
            try (NvmeTcpTestHost h = NvmeTcpTestHost.io(server.port(), 2, admin.controllerId, NQN, HOST, false, false)) {
                ByteBuf s = h.sqe(0x01, 1);
                s.setLongLE(40, 0);
                s.setIntLE(48, 511); // 256 KiB
                NvmeTcpTestHost.sgl(s, 0x5A, 256 * 1024);
                int cid = s.getUnsignedShortLE(2);
                h.send(h.capsule(s, null));
                NvmeTcpPdu r2t = h.receive();
                assertEquals(PduType.R2T, r2t.type());
                int ttag = r2t.u16(10);
                r2t.release();
                // Only the 24-byte header goes out: the controller must refuse from it alone, before
                // any of the oversized data arrives (and it closes, so sending the data would EPIPE).
                int dataBytes = NvmeTcpConnectionHandler.MAX_H2C_DATA + 4096;
                ByteBuf header = Unpooled.buffer(24).writeZero(24);
                header.setByte(0, 0x06).setByte(1, PduType.FLAG_LAST_PDU).setByte(2, 24).setByte(3, 24);
                header.setIntLE(4, 24 + dataBytes).setShortLE(8, cid).setShortLE(10, ttag).setIntLE(12, 0)
                        .setIntLE(16, dataBytes);
                byte[] raw = new byte[24];
                header.getBytes(0, raw);
                h.sendRaw(raw);
                assertEquals(0x05, h.terminationStatus());
            }
            assertArrayEquals(new byte[4096], Arrays.copyOf(io.read(1, 0, 8).data(), 4096),
                    "the half-sent write wrote nothing");
            assertTrue(io.write(1, 0, pattern(4096, 5), false, true).ok(), "the other queue carries on");
        }
    }

    @Test
    void aDataDigestErrorFailsOnlyItsCommand() throws Exception {
        try (NvmeTcpTestHost admin = NvmeTcpTestHost.admin(server.port(), NQN, HOST, 0);
                NvmeTcpTestHost io = NvmeTcpTestHost.io(server.port(), 1, admin.controllerId, NQN, HOST, true, false)) {
            byte[] data = pattern(4096, 6);
            ByteBuf s = io.sqe(0x01, 1);
            s.setLongLE(40, 64);
            s.setIntLE(48, 7);
            NvmeTcpTestHost.sgl(s, 0x01, 4096);
            byte[] header = new byte[72];
            header[0] = 0x04;
            header[1] = 0x03; // HDGSTF | DDGSTF
            header[2] = 72;
            header[3] = 76;
            int plen = 72 + 4 + 4096 + 4;
            ByteBuffer.wrap(header, 4, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(plen);
            s.getBytes(0, header, 8, 64);
            int cid = s.getUnsignedShortLE(2);
            s.release();
            ByteBuf wire = Unpooled.buffer(plen);
            wire.writeBytes(header);
            wire.writeIntLE(Crc32c.of(Unpooled.wrappedBuffer(header), 0, 72));
            wire.writeBytes(data);
            wire.writeIntLE(0x12345678); // wrong data digest
            byte[] bytes = new byte[plen];
            wire.readBytes(bytes);
            io.sendRaw(bytes);
            NvmeTcpPdu resp = io.receive();
            try {
                assertEquals(PduType.CAPSULE_RESP, resp.type());
                assertEquals(cid, resp.u16(20));
                assertEquals(Status.TRANSIENT_TRANSPORT_ERROR, resp.u16(22) >>> 1);
            } finally {
                resp.release();
            }
            assertArrayEquals(new byte[4096], io.read(1, 64, 8).data(), "nothing written");
            assertTrue(io.write(1, 64, data, false, true).ok(), "the queue carries on");
        }
    }
}
