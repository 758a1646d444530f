package io.tamp.datapath.iscsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tamp.datapath.scsi.ScsiResponse;
import io.tamp.datapath.scsi.ScsiTarget;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The full feature phase over an EmbeddedChannel against {@link FakeScsiDisk}: writes with
 * immediate data, unsolicited Data-Out and R2T; reads split into Data-In PDUs; residuals;
 * sense data; the CmdSN window; task management; logout.
 */
class ScsiCommandFlowTest {
    private static final int BLOCK = FakeScsiDisk.BLOCK_BYTES;
    /** Our side's MaxRecvDataSegmentLength: Data-In PDUs come at most this big. */
    private static final int INITIATOR_MRDSL = 4096;
    private static final int MAX_BURST = 16384;
    private static final int FIRST_BURST = 8192;

    private final FakeScsiDisk disk = new FakeScsiDisk(1024);

    private static TextParameters operational(boolean initialR2T) throws IscsiTextException {
        return new TextParameters().add("HeaderDigest", "None").add("DataDigest", "CRC32C")
                .add("MaxRecvDataSegmentLength", Integer.toString(INITIATOR_MRDSL))
                .add("MaxBurstLength", Integer.toString(MAX_BURST))
                .add("FirstBurstLength", Integer.toString(FIRST_BURST))
                .add("InitialR2T", initialR2T ? "Yes" : "No").add("ImmediateData", "Yes");
    }

    private TestInitiator loggedIn(boolean initialR2T) throws IscsiTextException {
        TestInitiator ini = new TestInitiator(IscsiTargetConfig.builder().build(), disk);
        ini.loginNone(operational(initialR2T));
        return ini;
    }

    private static byte[] rw10(int opcode, int lba, int blocks) {
        byte[] cdb = new byte[16];
        cdb[0] = (byte) opcode;
        cdb[2] = (byte) (lba >>> 24);
        cdb[3] = (byte) (lba >>> 16);
        cdb[4] = (byte) (lba >>> 8);
        cdb[5] = (byte) lba;
        cdb[7] = (byte) (blocks >>> 8);
        cdb[8] = (byte) blocks;
        return cdb;
    }

    private static IscsiPdu command(TestInitiator ini, byte[] cdb, boolean read, boolean write, int expectedBytes,
            ByteBuf immediate, boolean finalFlag) {
        IscsiPdu pdu = IscsiPdu.create(UnpooledByteBufAllocator.DEFAULT, IscsiOpcode.SCSI_COMMAND, immediate);
        int flags = (finalFlag ? Bhs.FINAL_FLAG : 0) | (read ? Bhs.READ_FLAG : 0) | (write ? Bhs.WRITE_FLAG : 0) | 1;
        pdu.bhs().flags(flags).lun(SamLun.encode(0)).initiatorTaskTag(ini.nextItt())
                .expectedDataTransferLength(expectedBytes).cmdSn(ini.cmdSn++).expStatSn(ini.expStatSn).cdb(cdb);
        return pdu;
    }

    private static IscsiPdu dataOut(int itt, int ttt, int dataSn, int offset, byte[] data, int from, int len,
            boolean last) {
        IscsiPdu pdu = IscsiPdu.create(UnpooledByteBufAllocator.DEFAULT, IscsiOpcode.SCSI_DATA_OUT,
                Unpooled.wrappedBuffer(data, from, len));
        pdu.bhs().finalFlag(last).lun(SamLun.encode(0)).initiatorTaskTag(itt).targetTransferTag(ttt)
                .dataSn(dataSn).bufferOffset(offset);
        return pdu;
    }

    private static byte[] pattern(int bytes, long seed) {
        byte[] b = new byte[bytes];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Answers every R2T with Data-Out PDUs of {@code segment} bytes until the SCSI Response. */
    private static IscsiPdu answerR2Ts(TestInitiator ini, byte[] data, int segment, int[] r2tCount) {
        List<IscsiPdu> pdus = ini.receive();
        while (true) {
            assertEquals(1, pdus.size(), pdus.toString());
            IscsiPdu p = pdus.get(0);
            if (p.opcode() != IscsiOpcode.R2T) {
                return p;
            }
            Bhs r2t = p.bhs();
            assertEquals(r2tCount[0]++, r2t.r2tSn());
            int offset = r2t.bufferOffset();
            int length = r2t.desiredDataTransferLength();
            assertTrue(length <= MAX_BURST, "R2T for " + length);
            int itt = r2t.initiatorTaskTag();
            int ttt = r2t.targetTransferTag();
            p.release();
            int sn = 0;
            for (int o = offset; o < offset + length; o += segment) {
                int len = Math.min(segment, offset + length - o);
                ini.send(dataOut(itt, ttt, sn++, o, data, o, len, o + len == offset + length));
            }
            pdus = ini.receive();
        }
    }

    @Test
    void writeWithImmediateDataAndR2TThenReadBackInSeveralDataIns() throws Exception {
        try (TestInitiator ini = loggedIn(true)) {
            int blocks = 80;
            int bytes = blocks * BLOCK;
            byte[] data = pattern(bytes, 1);
            // ImmediateData=Yes, InitialR2T=Yes: the first 4 KiB ride in the command, the rest is solicited.
            ini.send(command(ini, rw10(0x2a, 10, blocks), false, true, bytes,
                    Unpooled.wrappedBuffer(data, 0, 4096), true));
            int[] r2ts = {0};
            IscsiPdu response = answerR2Ts(ini, data, 4096, r2ts);
            assertEquals(3, r2ts[0], "36 KiB after 4 KiB immediate = 16 + 16 + 4 KiB bursts");
            assertEquals(IscsiOpcode.SCSI_RESPONSE, response.opcode());
            assertEquals(ScsiResponse.GOOD, response.bhs().status());
            assertEquals(3, response.bhs().expDataSn());
            response.release();
            assertArrayEquals(data, Arrays.copyOfRange(disk.bytes(), 10 * BLOCK, 10 * BLOCK + bytes));

            ini.send(command(ini, rw10(0x28, 10, blocks), true, false, bytes, Unpooled.EMPTY_BUFFER, true));
            List<IscsiPdu> dataIns = ini.receive();
            assertEquals(bytes / INITIATOR_MRDSL, dataIns.size());
            ByteBuf back = Unpooled.buffer(bytes);
            for (int i = 0; i < dataIns.size(); i++) {
                IscsiPdu d = dataIns.get(i);
                boolean last = i == dataIns.size() - 1;
                assertEquals(IscsiOpcode.SCSI_DATA_IN, d.opcode());
                assertEquals(i, d.bhs().dataSn());
                assertEquals(i * INITIATOR_MRDSL, d.bhs().bufferOffset());
                // F closes every MaxBurstLength sequence and the last PDU; S only on the last.
                assertEquals(last || (i + 1) * INITIATOR_MRDSL % MAX_BURST == 0, d.bhs().finalFlag(), "PDU " + i);
                assertEquals(last, d.bhs().statusFlag(), "PDU " + i);
                back.writeBytes(d.data());
                d.release();
            }
            assertArrayEquals(data, ByteBufUtil.getBytes(back));
            back.release();
        }
    }

    @Test
    void unsolicitedDataOutUpToFirstBurstThenR2T() throws Exception {
        try (TestInitiator ini = loggedIn(false)) {
            int bytes = 40 * BLOCK;
            byte[] data = pattern(bytes, 2);
            IscsiPdu cmd = command(ini, rw10(0x2a, 0, 40), false, true, bytes, Unpooled.wrappedBuffer(data, 0, 2048),
                    false);
            int itt = cmd.bhs().initiatorTaskTag();
            ini.send(cmd);
            assertTrue(ini.receive().isEmpty());
            ini.send(dataOut(itt, -1, 0, 2048, data, 2048, 4096, false));
            ini.send(dataOut(itt, -1, 1, 6144, data, 6144, FIRST_BURST - 6144, true));
            int[] r2ts = {0};
            IscsiPdu response = answerR2Ts(ini, data, 8192, r2ts);
            assertEquals(1, r2ts[0]);
            assertEquals(ScsiResponse.GOOD, response.bhs().status());
            response.release();
            assertArrayEquals(data, Arrays.copyOfRange(disk.bytes(), 0, bytes));
        }
    }

    @Test
    void writeOverTheTransferLimitDropsItsUnsolicitedDataAndEndsInCheckCondition() throws Exception {
        try (TestInitiator ini = loggedIn(false)) {
            int bytes = IscsiTargetConfig.DEFAULT_MAX_TRANSFER_BYTES + BLOCK;
            byte[] data = pattern(FIRST_BURST, 3);
            IscsiPdu cmd = command(ini, rw10(0x2a, 0, 65535), false, true, bytes,
                    Unpooled.wrappedBuffer(data, 0, 2048), false);
            int itt = cmd.bhs().initiatorTaskTag();
            ini.send(cmd);
            assertTrue(ini.receive().isEmpty(), "no R2T while unsolicited data is due");
            ini.send(dataOut(itt, -1, 0, 2048, data, 2048, FIRST_BURST - 2048, true));
            IscsiPdu r = ini.receiveOne();
            assertEquals(IscsiOpcode.SCSI_RESPONSE, r.opcode(), "a response, not an R2T");
            assertEquals(ScsiResponse.CHECK_CONDITION, r.bhs().status());
            assertEquals(0x05, r.data().getByte(2 + 2));
            assertEquals(0x24, r.data().getByte(2 + 12));
            r.release();
            assertEquals(0, disk.bytes()[0], "nothing written");

            ini.send(command(ini, rw10(0x2a, 0, 1), false, true, BLOCK, Unpooled.wrappedBuffer(pattern(BLOCK, 4)),
                    true));
            IscsiPdu ok = ini.receiveOne();
            assertEquals(ScsiResponse.GOOD, ok.bhs().status(), "the connection goes on");
            ok.release();
        }
    }

    /** ErrorRecoveryLevel 0: the PDU is rejected, the write ends unwritten, the connection goes on. */
    private void assertWriteFailedAndConnectionGoesOn(TestInitiator ini) {
        List<IscsiPdu> pdus = ini.receive();
        assertEquals(2, pdus.size(), pdus.toString());
        assertEquals(IscsiOpcode.REJECT, pdus.get(0).opcode());
        IscsiPdu r = pdus.get(1);
        assertEquals(IscsiOpcode.SCSI_RESPONSE, r.opcode());
        assertEquals(ScsiResponse.CHECK_CONDITION, r.bhs().status());
        assertEquals(0x0b, r.data().getByte(2 + 2), "ABORTED COMMAND");
        assertEquals(0x47, r.data().getByte(2 + 12), "PROTOCOL SERVICE CRC ERROR");
        assertEquals(0x05, r.data().getByte(2 + 13));
        pdus.forEach(IscsiPdu::release);
        assertEquals(0, disk.bytes()[0], "an unacknowledged write wrote nothing");
        assertTrue(ini.target.isActive());
        ini.send(command(ini, rw10(0x28, 0, 1), true, false, BLOCK, Unpooled.EMPTY_BUFFER, true));
        IscsiPdu read = ini.receiveOne();
        assertEquals(IscsiOpcode.SCSI_DATA_IN, read.opcode());
        read.release();
    }

    @Test
    void writesPastThePortalsWriteBufferEndInTaskSetFullUntilRoomFreesUp() throws Exception {
        IscsiTargetConfig small = IscsiTargetConfig.builder().maxBurstBytes(16384).firstBurstBytes(8192).maxTransferBytes(65536)
                .maxBufferedWriteBytes(65536).build();
        try (TestInitiator ini = new TestInitiator(small, disk)) {
            ini.loginNone(operational(true));
            int bytes = 80 * BLOCK; // 40 KiB: one fits in the 64 KiB write buffer, two do not
            byte[] a = pattern(bytes, 21);
            IscsiPdu first = command(ini, rw10(0x2a, 0, 80), false, true, bytes, Unpooled.EMPTY_BUFFER, true);
            int itt = first.bhs().initiatorTaskTag();
            ini.send(first); // holds 40 KiB while it waits for its R2T data
            ini.send(command(ini, rw10(0x2a, 200, 80), false, true, bytes, Unpooled.EMPTY_BUFFER, true));
            List<IscsiPdu> pdus = ini.receive();
            assertEquals(2, pdus.size(), pdus.toString());
            IscsiPdu r2t = pdus.get(0);
            IscsiPdu full = pdus.get(1);
            assertEquals(IscsiOpcode.R2T, r2t.opcode());
            assertEquals(IscsiOpcode.SCSI_RESPONSE, full.opcode(), "no R2T for the second: no room for its data");
            assertEquals(ScsiResponse.TASK_SET_FULL, full.bhs().status());
            int ttt = r2t.bhs().targetTransferTag();
            int length = r2t.bhs().desiredDataTransferLength();
            pdus.forEach(IscsiPdu::release);
            int sn = 0;
            for (int o = 0; o < length; o += 4096) {
                ini.send(dataOut(itt, ttt, sn++, o, a, o, 4096, o + 4096 == length));
            }
            IscsiPdu done = answerR2Ts(ini, a, 4096, new int[] {1});
            assertEquals(ScsiResponse.GOOD, done.bhs().status());
            done.release();
            // its share is back: the same write again is accepted
            ini.send(command(ini, rw10(0x2a, 200, 80), false, true, bytes, Unpooled.EMPTY_BUFFER, true));
            IscsiPdu again = answerR2Ts(ini, a, 4096, new int[] {0});
            assertEquals(ScsiResponse.GOOD, again.bhs().status());
            again.release();
            assertArrayEquals(a, Arrays.copyOfRange(disk.bytes(), 200 * BLOCK, 200 * BLOCK + bytes));
        }
    }

    @Test
    void dataOutWithAWrongDataSnIsRejectedAndItsWriteFails() throws Exception {
        for (int[] sns : new int[][] {{0, 0}, {0, 27}, {1, 0}, {0, -1}}) {
            disk.bytes()[0] = 0;
            try (TestInitiator ini = loggedIn(false)) {
                byte[] data = pattern(2 * BLOCK, 5);
                data[0] = 1;
                IscsiPdu cmd = command(ini, rw10(0x2a, 0, 2), false, true, 2 * BLOCK, Unpooled.EMPTY_BUFFER, false);
                int itt = cmd.bhs().initiatorTaskTag();
                ini.send(cmd);
                ini.send(dataOut(itt, -1, sns[0], 0, data, 0, BLOCK, false));
                ini.send(dataOut(itt, -1, sns[1], BLOCK, data, BLOCK, BLOCK, true));
                if (sns[0] != 0) { // the first one is already out of sequence; the second is dropped
                    List<IscsiPdu> pdus = ini.receive();
                    assertEquals(IscsiOpcode.REJECT, pdus.get(0).opcode());
                    assertEquals(IscsiOpcode.SCSI_RESPONSE, pdus.get(1).opcode());
                    assertEquals(2, pdus.size(), pdus.toString());
                    pdus.forEach(IscsiPdu::release);
                    continue;
                }
                assertWriteFailedAndConnectionGoesOn(ini);
            }
        }
    }

    @Test
    void dataOutWithABadDataDigestFailsItsWrite() throws Exception {
        try (TestInitiator ini = loggedIn(false)) {
            byte[] data = pattern(2 * BLOCK, 6);
            data[0] = 1;
            IscsiPdu cmd = command(ini, rw10(0x2a, 0, 2), false, true, 2 * BLOCK, Unpooled.EMPTY_BUFFER, false);
            int itt = cmd.bhs().initiatorTaskTag();
            ini.send(cmd);
            ini.send(dataOut(itt, -1, 0, 0, data, 0, BLOCK, false));
            ini.sendWithLastByteFlipped(dataOut(itt, -1, 1, BLOCK, data, BLOCK, BLOCK, true));
            assertWriteFailedAndConnectionGoesOn(ini);
        }
    }

    @Test
    void readResidualUnderflowAndOverflow() throws Exception {
        try (TestInitiator ini = loggedIn(true)) {
            ini.send(command(ini, rw10(0x28, 0, 4), true, false, 4 * BLOCK + 1000, Unpooled.EMPTY_BUFFER, true));
            IscsiPdu under = ini.receiveOne();
            assertTrue(under.bhs().statusFlag());
            assertEquals(Bhs.UNDERFLOW_FLAG, under.bhs().flags() & (Bhs.UNDERFLOW_FLAG | Bhs.OVERFLOW_FLAG));
            assertEquals(1000, under.bhs().residualCount());
            assertEquals(4 * BLOCK, under.data().readableBytes());
            under.release();

            ini.send(command(ini, rw10(0x28, 0, 4), true, false, BLOCK, Unpooled.EMPTY_BUFFER, true));
            IscsiPdu over = ini.receiveOne();
            assertTrue(over.bhs().statusFlag());
            assertEquals(Bhs.OVERFLOW_FLAG, over.bhs().flags() & (Bhs.UNDERFLOW_FLAG | Bhs.OVERFLOW_FLAG));
            assertEquals(3 * BLOCK, over.bhs().residualCount());
            assertEquals(BLOCK, over.data().readableBytes());
            over.release();
        }
    }

    @Test
    void writeResidualsCountAgainstWhatTheCdbAskedFor() throws Exception {
        try (TestInitiator ini = loggedIn(true)) {
            byte[] data = pattern(4 * BLOCK, 7);
            // EDTL 3 blocks, CDB 2 blocks: underflow of one block.
            ini.send(command(ini, rw10(0x2a, 0, 2), false, true, 3 * BLOCK, Unpooled.wrappedBuffer(data, 0, 3 * BLOCK),
                    true));
            IscsiPdu under = ini.receiveOne();
            assertEquals(ScsiResponse.GOOD, under.bhs().status());
            assertEquals(Bhs.UNDERFLOW_FLAG, under.bhs().flags() & (Bhs.UNDERFLOW_FLAG | Bhs.OVERFLOW_FLAG));
            assertEquals(BLOCK, under.bhs().residualCount());
            under.release();
            // EDTL 1 block, CDB 4 blocks: overflow of three.
            ini.send(command(ini, rw10(0x2a, 8, 4), false, true, BLOCK, Unpooled.wrappedBuffer(data, 0, BLOCK), true));
            IscsiPdu over = ini.receiveOne();
            assertEquals(Bhs.OVERFLOW_FLAG, over.bhs().flags() & (Bhs.UNDERFLOW_FLAG | Bhs.OVERFLOW_FLAG));
            assertEquals(3 * BLOCK, over.bhs().residualCount());
            over.release();
            // EDTL 0 with a one-block CDB: nothing moves, overflow of one block.
            ini.send(command(ini, rw10(0x2a, 20, 1), false, true, 0, Unpooled.EMPTY_BUFFER, true));
            IscsiPdu none = ini.receiveOne();
            assertEquals(Bhs.OVERFLOW_FLAG, none.bhs().flags() & (Bhs.UNDERFLOW_FLAG | Bhs.OVERFLOW_FLAG));
            assertEquals(BLOCK, none.bhs().residualCount());
            none.release();
        }
    }

    @Test
    void checkConditionCarriesSenseWithLengthPrefix() throws Exception {
        try (TestInitiator ini = loggedIn(true)) {
            ini.send(command(ini, rw10(0x28, 1020, 8), true, false, 8 * BLOCK, Unpooled.EMPTY_BUFFER, true));
            IscsiPdu r = ini.receiveOne();
            assertEquals(IscsiOpcode.SCSI_RESPONSE, r.opcode());
            assertEquals(ScsiResponse.CHECK_CONDITION, r.bhs().status());
            assertEquals(18, r.data().getUnsignedShort(0));
            assertEquals(0x05, r.data().getByte(2 + 2));
            assertEquals(0x21, r.data().getByte(2 + 12));
            assertEquals(Bhs.UNDERFLOW_FLAG, r.bhs().flags() & Bhs.UNDERFLOW_FLAG);
            assertEquals(8 * BLOCK, r.bhs().residualCount());
            r.release();
        }
    }

    @Test
    void commandsOutsideTheWindowAreIgnored() throws Exception {
        try (TestInitiator ini = loggedIn(true)) {
            ini.cmdSn += 1000;
            ini.send(command(ini, new byte[16], false, false, 0, Unpooled.EMPTY_BUFFER, true));
            assertTrue(ini.receive().isEmpty());
            ini.cmdSn = 1;
            ini.send(command(ini, new byte[16], false, false, 0, Unpooled.EMPTY_BUFFER, true));
            IscsiPdu r = ini.receiveOne();
            assertEquals(ScsiResponse.GOOD, r.bhs().status());
            assertEquals(2, r.bhs().expCmdSn());
            assertEquals(129, r.bhs().maxCmdSn());
            r.release();
        }
    }

    @Test
    void abortTaskSuppressesTheResponseAndReleasesItsData() throws Exception {
        try (TestInitiator ini = loggedIn(true)) {
            disk.hold = new CompletableFuture<>();
            IscsiPdu cmd = command(ini, rw10(0x28, 0, 1), true, false, BLOCK, Unpooled.EMPTY_BUFFER, true);
            int itt = cmd.bhs().initiatorTaskTag();
            ini.send(cmd);
            assertTrue(ini.receive().isEmpty());
            IscsiPdu tmf = IscsiPdu.create(UnpooledByteBufAllocator.DEFAULT, IscsiOpcode.TASK_MGMT_REQUEST);
            tmf.bhs().immediate(true).flags(Bhs.FINAL_FLAG | TaskManagement.ABORT_TASK).lun(SamLun.encode(0))
                    .initiatorTaskTag(ini.nextItt()).referencedTaskTag(itt).cmdSn(ini.cmdSn);
            ini.send(tmf);
            IscsiPdu answer = ini.receiveOne();
            assertEquals(IscsiOpcode.TASK_MGMT_RESPONSE, answer.opcode());
            assertEquals(TaskManagement.FUNCTION_COMPLETE, answer.bhs().response());
            answer.release();
            assertEquals(List.of(ScsiTarget.TaskFunction.ABORT_TASK), disk.taskFunctions);
            disk.hold.complete(new ScsiResponse(ScsiResponse.TASK_ABORTED, null, Unpooled.buffer(BLOCK).writeZero(BLOCK)));
            assertTrue(ini.receive().isEmpty());
        }
    }

    @Test
    void abortOfAnAnsweredTaskSaysTaskDoesNotExist() throws Exception {
        try (TestInitiator ini = loggedIn(true)) {
            IscsiPdu cmd = command(ini, rw10(0x28, 0, 1), true, false, BLOCK, Unpooled.EMPTY_BUFFER, true);
            int itt = cmd.bhs().initiatorTaskTag();
            ini.send(cmd);
            ini.receiveOne().release(); // answered already
            IscsiPdu tmf = IscsiPdu.create(UnpooledByteBufAllocator.DEFAULT, IscsiOpcode.TASK_MGMT_REQUEST);
            tmf.bhs().immediate(true).flags(Bhs.FINAL_FLAG | TaskManagement.ABORT_TASK).lun(SamLun.encode(0))
                    .initiatorTaskTag(ini.nextItt()).referencedTaskTag(itt).cmdSn(ini.cmdSn);
            ini.send(tmf);
            IscsiPdu answer = ini.receiveOne();
            assertEquals(TaskManagement.TASK_DOES_NOT_EXIST, answer.bhs().response());
            answer.release();
        }
    }

    @Test
    void unknownOpcodeIsRejectedAndTheConnectionGoesOn() throws Exception {
        try (TestInitiator ini = loggedIn(true)) {
            IscsiPdu odd = IscsiPdu.create(UnpooledByteBufAllocator.DEFAULT, IscsiOpcode.NOP_OUT);
            odd.bhs().buffer().setByte(0, 0x1e);
            ini.send(odd);
            IscsiPdu reject = ini.receiveOne();
            assertEquals(IscsiOpcode.REJECT, reject.opcode());
            assertEquals(0x05, reject.bhs().rejectReason());
            reject.release();
            assertTrue(ini.target.isActive());
        }
    }

    @Test
    void logoutAnswersAndCloses() throws Exception {
        try (TestInitiator ini = loggedIn(true)) {
            IscsiPdu logout = IscsiPdu.create(UnpooledByteBufAllocator.DEFAULT, IscsiOpcode.LOGOUT_REQUEST);
            logout.bhs().immediate(true).flags(Bhs.FINAL_FLAG).initiatorTaskTag(ini.nextItt()).cmdSn(ini.cmdSn);
            ini.send(logout);
            IscsiPdu r = ini.receiveOne();
            assertEquals(IscsiOpcode.LOGOUT_RESPONSE, r.opcode());
            assertEquals(0, r.bhs().response());
            r.release();
            assertFalse(ini.target.isActive());
        }
    }
}
