package io.tamp.datapath.iscsi;

import io.tamp.datapath.frontend.InlineReads;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.tamp.datapath.scsi.ScsiCommand;
import io.tamp.datapath.scsi.ScsiResponse;
import io.tamp.datapath.scsi.ScsiTarget;
import io.tamp.datapath.scsi.Sense;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SCSI commands of one connection (RFC 7143 §11.3-§11.8): gathers write data (immediate
 * data, unsolicited Data-Out up to FirstBurstLength, then one R2T at a time of up to
 * MaxBurstLength), runs the command on the {@link ScsiTarget}, and returns Data-In and
 * status. Also task management, which has to forget tasks it aborts.
 */
final class ScsiCommandFlow {
    private static final Logger LOG = LoggerFactory.getLogger(ScsiCommandFlow.class);

    /** iSCSI SCSI Response "Response" field: the target failed, no SCSI status. */
    static final int RESPONSE_TARGET_FAILURE = 0x01;

    private final IscsiTargetConfig config;
    private final ScsiTarget target;
    private final SessionParameters session;
    private final IscsiConnectionHandler connection;
    private final Sessions sessions;
    private final Map<Integer, ScsiTask> tasks = new HashMap<>();
    private int nextTransferTag = 1;

    ScsiCommandFlow(IscsiTargetConfig config, ScsiTarget target, SessionParameters session,
            IscsiConnectionHandler connection, Sessions sessions) {
        this.sessions = sessions;
        this.config = config;
        this.target = target;
        this.session = session;
        this.connection = connection;
    }

    int inFlight() {
        return tasks.size();
    }

    void onCommand(ChannelHandlerContext ctx, IscsiPdu pdu) {
        Bhs bhs = pdu.bhs();
        long expected = bhs.expectedDataTransferLength();
        ByteBuf immediate = pdu.data();
        boolean write = bhs.writeFlag();
        boolean read = bhs.readFlag();
        if (pdu.ahs().isReadable() || (read && write)) {
            // Extended CDBs and bidirectional commands: nothing in SBC-3 we serve needs them.
            connection.reject(ctx, IscsiConnectionHandler.REJECT_COMMAND_NOT_SUPPORTED, pdu);
            return;
        }
        if (tasks.containsKey(bhs.initiatorTaskTag()) || (!write && immediate.isReadable())
                || expected > Integer.MAX_VALUE
                || (immediate.isReadable() && !session.immediateData())
                || immediate.readableBytes() > Math.min(expected, session.firstBurstBytes())
                || (!bhs.finalFlag() && (session.initialR2T() || !write))) {
            connection.reject(ctx, IscsiConnectionHandler.REJECT_PROTOCOL_ERROR, pdu);
            return;
        }
        int opcode = bhs.cdbByte(0);
        byte[] cdb = new byte[ScsiTask.cdbLength(opcode)];
        for (int i = 0; i < cdb.length; i++) {
            cdb[i] = (byte) bhs.cdbByte(i);
        }
        int expectedBytes = (int) expected;
        ScsiTask task = new ScsiTask(bhs.initiatorTaskTag(), bhs.lun(), SamLun.decode(bhs.lun()), cdb,
                expectedBytes, read, write && expectedBytes > 0);
        tasks.put(task.initiatorTaskTag, task);
        if (!task.write) {
            execute(ctx, task);
            return;
        }
        if (expectedBytes > config.maxTransferBytes()) {
            // Larger than the MAXIMUM TRANSFER LENGTH we report: no buffer, no R2T; whatever
            // unsolicited data the initiator already sends is read and dropped, then SBC-3's
            // INVALID FIELD IN CDB ends the command.
            task.discard = true;
            task.refusalStatus = ScsiResponse.CHECK_CONDITION;
            task.refusal = Sense.INVALID_FIELD_IN_CDB.bytes();
        } else if (!sessions.writes.tryReserve(expectedBytes)) {
            // The portal already holds as much write data as it may: TASK SET FULL, which
            // initiators answer by retrying later with fewer commands in flight (SAM-5 5.3.3).
            task.discard = true;
            task.refusalStatus = ScsiResponse.TASK_SET_FULL;
        } else {
            task.reservedBytes = expectedBytes;
            task.dataOut = ctx.alloc().buffer(expectedBytes, expectedBytes);
            task.dataOut.writerIndex(expectedBytes);
            task.dataOut.setBytes(0, immediate, immediate.readerIndex(), immediate.readableBytes());
        }
        task.receivedBytes = immediate.readableBytes();
        task.unsolicitedLimitBytes = Math.min(expectedBytes, session.firstBurstBytes());
        task.unsolicitedOpen = !bhs.finalFlag();
        continueWrite(ctx, task);
    }

    void onDataOut(ChannelHandlerContext ctx, IscsiPdu pdu) {
        Bhs bhs = pdu.bhs();
        ScsiTask task = tasks.get(bhs.initiatorTaskTag());
        if (task == null) {
            // Data still in flight for a task that ended (aborted, or failed on bad data): dropped.
            LOG.debug("iSCSI Data-Out for no open task {} dropped", bhs.initiatorTaskTag());
            return;
        }
        if (task.state != ScsiTask.State.COLLECTING) {
            connection.reject(ctx, IscsiConnectionHandler.REJECT_PROTOCOL_ERROR, pdu);
            return;
        }
        int ttt = bhs.targetTransferTag();
        boolean unsolicited = ttt == IscsiConnectionHandler.RESERVED_TAG;
        int limit = unsolicited ? task.unsolicitedLimitBytes : task.r2tEndBytes;
        int bytes = pdu.data().readableBytes();
        boolean expectedPdu = unsolicited ? task.unsolicitedOpen : task.r2tOpen && ttt == task.r2tTransferTag;
        // DataPDUInOrder=Yes and DataSequenceInOrder=Yes: each PDU continues where the last ended,
        // and DataSN counts from 0 within each sequence (the unsolicited one, then one per R2T).
        if (!expectedPdu || bhs.bufferOffset() != task.receivedBytes || bytes > limit - task.receivedBytes
                || bhs.dataSn() != task.nextDataSn) {
            // A gap means a PDU was lost to a digest error (RFC 7143 §7.10); ErrorRecoveryLevel=0
            // cannot ask for it again, so the command ends and the connection goes on.
            LOG.warn("iSCSI Data-Out out of sequence for task {} (offset {} of {} expected, DataSN {} of {})",
                    task.initiatorTaskTag, bhs.bufferOffset(), task.receivedBytes, bhs.dataSn(), task.nextDataSn);
            connection.reject(ctx, IscsiConnectionHandler.REJECT_PROTOCOL_ERROR, pdu);
            failWrite(ctx, task);
            return;
        }
        task.nextDataSn++;
        if (!task.discard) {
            task.dataOut.setBytes(task.receivedBytes, pdu.data(), pdu.data().readerIndex(), bytes);
        }
        task.receivedBytes += bytes;
        if (bhs.finalFlag()) {
            if (unsolicited) {
                task.unsolicitedOpen = false;
            } else {
                task.r2tOpen = false;
            }
            continueWrite(ctx, task);
        }
    }

    /** After a sequence ends: run the command, or ask for the next burst. */
    private void continueWrite(ChannelHandlerContext ctx, ScsiTask task) {
        if (task.unsolicitedOpen || task.r2tOpen) {
            return;
        }
        if (task.discard) {
            tasks.remove(task.initiatorTaskTag);
            sendResponse(ctx, task, 0, task.refusalStatus, task.refusal, 0, 0);
            ctx.flush();
            return;
        }
        if (task.allDataReceived()) {
            execute(ctx, task);
            return;
        }
        int burst = Math.min(session.maxBurstBytes(), task.expectedBytes - task.receivedBytes);
        task.r2tOpen = true;
        task.r2tTransferTag = nextTransferTag();
        task.r2tEndBytes = task.receivedBytes + burst;
        task.nextDataSn = 0;
        IscsiPdu r2t = IscsiPdu.create(ctx.alloc(), IscsiOpcode.R2T);
        r2t.bhs().finalFlag(true).lun(task.lunField).initiatorTaskTag(task.initiatorTaskTag)
                .targetTransferTag(task.r2tTransferTag).r2tSn(task.r2tSn++)
                .bufferOffset(task.receivedBytes).desiredDataTransferLength(burst);
        connection.writeWithoutStatus(ctx, r2t);
        ctx.flush();
    }

    /**
     * A Data-Out of this task was lost or damaged: its data is dropped and it ends in CHECK
     * CONDITION, ABORTED COMMAND / PROTOCOL SERVICE CRC ERROR, which tells the initiator to
     * retry the command. Nothing was written.
     */
    void failWrite(ChannelHandlerContext ctx, int initiatorTaskTag) {
        ScsiTask task = tasks.get(initiatorTaskTag);
        if (task != null && task.state == ScsiTask.State.COLLECTING) {
            failWrite(ctx, task);
        }
    }

    private void failWrite(ChannelHandlerContext ctx, ScsiTask task) {
        tasks.remove(task.initiatorTaskTag);
        release(task);
        sendResponse(ctx, task, 0, ScsiResponse.CHECK_CONDITION, Sense.PROTOCOL_SERVICE_CRC_ERROR.bytes(), 0, 0);
        ctx.flush();
    }

    private int nextTransferTag() {
        int tag = nextTransferTag++;
        if (nextTransferTag == IscsiConnectionHandler.RESERVED_TAG) {
            nextTransferTag = 1;
        }
        return tag;
    }

    private void execute(ChannelHandlerContext ctx, ScsiTask task) {
        task.state = ScsiTask.State.EXECUTING;
        ByteBuf dataOut = task.dataOut;
        task.dataOut = null;
        ScsiCommand command = new ScsiCommand(session.initiatorPort(), session.initiatorName(), task.lun,
                task.cdb, task.expectedBytes, dataOut, task.initiatorTaskTag & 0xffff_ffffL);
        CompletableFuture<ScsiResponse> future;
        try {
            future = target.execute(command, InlineReads.alone(tasks.size(), connection.decoder()));
        } catch (RuntimeException e) {
            LOG.error("SCSI target threw for {}", task.initiatorTaskTag, e);
            future = CompletableFuture.failedFuture(e);
        }
        future.whenComplete((response, failure) -> {
            if (ctx.executor().inEventLoop()) {
                complete(ctx, task, response, failure);
            } else {
                ctx.executor().execute(() -> complete(ctx, task, response, failure));
            }
        });
    }

    /** Drops the task's write data, if it still holds any, and gives back its share of the write buffer. */
    private void release(ScsiTask task) {
        task.releaseData();
        if (task.reservedBytes > 0) {
            sessions.writes.release(task.reservedBytes);
            task.reservedBytes = 0;
        }
    }

    private void complete(ChannelHandlerContext ctx, ScsiTask task, ScsiResponse response, Throwable failure) {
        release(task); // the target has released the data it was given
        if (task.state == ScsiTask.State.ABORTED || !ctx.channel().isActive()) {
            // An aborted task gets no SCSI Response (RFC 7143 §11.5.1): the TMF answer covers it.
            if (response != null && response.dataIn() != null) {
                response.dataIn().release();
            }
            return;
        }
        tasks.remove(task.initiatorTaskTag);
        if (failure != null) {
            LOG.error("SCSI target failed task {}", task.initiatorTaskTag, failure);
            sendResponse(ctx, task, RESPONSE_TARGET_FAILURE, 0, null, 0, 0);
            ctx.flush();
            return;
        }
        ByteBuf dataIn = response.dataIn();
        int producedBytes = dataIn == null ? 0 : dataIn.readableBytes();
        int wantedBytes = task.read ? task.expectedBytes : 0;
        // Positive: underflow (less moved than expected); negative: overflow.
        int residual = task.read ? wantedBytes - producedBytes
                : response.dataOutWanted() >= 0 ? (int) Math.max(Integer.MIN_VALUE + 1L,
                        task.expectedBytes - response.dataOutWanted()) : 0;
        int sendBytes = Math.min(producedBytes, wantedBytes);
        boolean collapse = sendBytes > 0 && response.status() == ScsiResponse.GOOD && response.sense() == null;
        int dataInPdus = 0;
        try {
            if (sendBytes > 0) {
                dataInPdus = DataIn.write(ctx, connection, task, dataIn, sendBytes, session,
                        collapse ? residual : null);
            }
        } finally {
            if (dataIn != null) {
                dataIn.release();
            }
        }
        if (!collapse) {
            sendResponse(ctx, task, 0, response.status(), response.sense(), residual,
                    task.read ? dataInPdus : task.r2tSn);
        }
        ctx.flush();
    }

    private void sendResponse(ChannelHandlerContext ctx, ScsiTask task, int iscsiResponse, int status,
            byte[] sense, int residual, int expDataSn) {
        ByteBuf data = IscsiConnectionHandler.empty();
        if (sense != null && iscsiResponse == 0) {
            data = ctx.alloc().buffer(2 + sense.length);
            data.writeShort(sense.length).writeBytes(sense);
        }
        IscsiPdu pdu = IscsiPdu.create(ctx.alloc(), IscsiOpcode.SCSI_RESPONSE, data);
        pdu.bhs().finalFlag(true).response(iscsiResponse).status(iscsiResponse == 0 ? status : 0)
                .initiatorTaskTag(task.initiatorTaskTag).residual(residual).expDataSn(expDataSn);
        connection.writeStatus(ctx, pdu);
    }

    void onTaskManagement(ChannelHandlerContext ctx, IscsiPdu pdu) {
        Bhs bhs = pdu.bhs();
        int response = TaskManagement.manage(bhs.function(), bhs.lun(), bhs.referencedTaskTag(),
                session.initiatorPort(), target, this);
        IscsiPdu answer = IscsiPdu.create(ctx.alloc(), IscsiOpcode.TASK_MGMT_RESPONSE);
        answer.bhs().finalFlag(true).response(response).initiatorTaskTag(bhs.initiatorTaskTag());
        connection.sendStatus(ctx, answer);
        if (bhs.function() == TaskManagement.TARGET_COLD_RESET && response == TaskManagement.FUNCTION_COMPLETE) {
            connection.drop(ctx);
        }
    }

    /** Forgets one task (ABORT TASK); its completion, if any, is discarded. False when none was pending. */
    boolean abort(int initiatorTaskTag) {
        ScsiTask task = tasks.remove(initiatorTaskTag);
        if (task != null) {
            task.state = ScsiTask.State.ABORTED;
            release(task);
        }
        return task != null;
    }

    /** Forgets every task on {@code lun}, or all tasks when {@code lun} is negative. */
    void abortLun(long lun) {
        List<Integer> victims = new ArrayList<>();
        for (ScsiTask task : tasks.values()) {
            if (lun < 0 || task.lun == lun) {
                victims.add(task.initiatorTaskTag);
            }
        }
        victims.forEach(this::abort);
    }

    void abortAll() {
        abortLun(-1);
    }
}
