package io.tamp.datapath.scsi;

import io.tamp.datapath.frontend.InlineReads;
import io.tamp.datapath.frontend.IoMetrics;
import io.tamp.datapath.frontend.LunMap;
import static io.tamp.datapath.scsi.CommandTable.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.tamp.datapath.volume.Volume;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every mapped volume as a thin-provisioned, non-rotating SBC-3 disk. {@link #execute} returns at
 * once; the command runs on the worker executor (volume I/O blocks, so not on the transport's
 * event loop), except a short READ that is alone in its session (see {@link InlineReads}). The command's data-out buffer is released here, always; the response's data-in
 * buffer belongs to the caller.
 *
 * <p>Unit attentions: the first command of each I_T_L nexus meets POWER ON/RESET; a transport calls
 * {@link #nexusStarted} at each login so it does again, and {@link #nexusLost} when the session ends;
 * a volume found grown since the LU last looked raises CAPACITY DATA HAS CHANGED (so does
 * {@link #capacityChanged}, for callers that want it raised at once); LUN map changes raise REPORTED LUNS DATA HAS
 * CHANGED by themselves.
 *
 * <p>Every command that does volume I/O and reaches a mapped volume is recorded in {@link IoMetrics}
 * as iSCSI, the only SCSI transport: READ and WRITE of every size (WRITE AND VERIFY as a WRITE),
 * and SYNCHRONIZE CACHE, UNMAP, WRITE SAME, COMPARE AND WRITE and VERIFY as OTHER. Its latency runs
 * from {@link #execute} to its status being ready: the wait for a worker counts, the transport's
 * data transfer does not.
 */
public final class ScsiDisk implements ScsiTarget {
    private static final Logger LOG = LoggerFactory.getLogger(ScsiDisk.class);

    private final LunMap lunMap;
    private final Executor workers;
    private final ByteBufAllocator alloc;
    private final IoMetrics metrics;
    private final UnitAttentions attentions = new UnitAttentions();
    private final Map<Long, LogicalUnit> units = new ConcurrentHashMap<>();
    private final Map<TaskKey, InFlight> inFlight = new ConcurrentHashMap<>();

    private record TaskKey(String initiatorPort, long taskTag) {
    }

    private static final class InFlight {
        final long lun;
        volatile boolean aborted;

        InFlight(long lun) {
            this.lun = lun;
        }
    }

    public ScsiDisk(LunMap lunMap, Executor workers) {
        this(lunMap, workers, PooledByteBufAllocator.DEFAULT);
    }

    public ScsiDisk(LunMap lunMap, Executor workers, ByteBufAllocator alloc) {
        this(lunMap, workers, alloc, IoMetrics.NONE);
    }

    public ScsiDisk(LunMap lunMap, Executor workers, IoMetrics metrics) {
        this(lunMap, workers, PooledByteBufAllocator.DEFAULT, metrics);
    }

    public ScsiDisk(LunMap lunMap, Executor workers, ByteBufAllocator alloc, IoMetrics metrics) {
        this.lunMap = lunMap;
        this.workers = workers;
        this.alloc = alloc;
        this.metrics = metrics;
        lunMap.addListener(name -> attentions.raiseForInitiator(name, Sense.REPORTED_LUNS_DATA_HAS_CHANGED));
    }

    @Override
    public void nexusStarted(String initiatorPort) {
        attentions.sessionStarted(initiatorPort);
    }

    @Override
    public void nexusLost(String initiatorPort) {
        inFlight.forEach((key, task) -> task.aborted |= key.initiatorPort().equals(initiatorPort));
        for (LogicalUnit lu : units.values()) {
            lu.reservations.nexusLost(initiatorPort);
        }
    }

    /** The engine or API calls this after growing a volume: every nexus using it meets CAPACITY DATA HAS CHANGED. */
    public void capacityChanged(Volume volume) {
        attentions.raiseForVolume(volume.id(), Sense.CAPACITY_DATA_HAS_CHANGED);
    }

    @Override
    public CompletableFuture<ScsiResponse> execute(ScsiCommand command) {
        return execute(command, false);
    }

    private static boolean shortRead(ScsiCommand c) {
        byte[] cdb = c.cdb();
        if (cdb == null || cdb.length == 0) {
            return false;
        }
        Cdb d = new Cdb(cdb);
        return switch (d.opcode()) {
            case READ_10, READ_12, READ_16 -> d.transferLength() <= InlineReads.MAX_BLOCKS;
            default -> false;
        };
    }

    @Override
    public CompletableFuture<ScsiResponse> execute(ScsiCommand command, boolean alone) {
        TaskKey key = new TaskKey(command.initiatorPort(), command.taskTag());
        InFlight task = new InFlight(command.lun());
        inFlight.put(key, task);
        long startNs = metrics.nanoTime();
        if (alone && shortRead(command)) {
            return CompletableFuture.completedFuture(run(command, key, task, startNs));
        }
        try {
            return CompletableFuture.supplyAsync(() -> run(command, key, task, startNs), workers);
        } catch (RejectedExecutionException e) {
            inFlight.remove(key, task);
            release(command.dataOut());
            return CompletableFuture.completedFuture(new ScsiResponse(ScsiResponse.TASK_SET_FULL, null, null));
        }
    }

    private ScsiResponse run(ScsiCommand command, TaskKey key, InFlight task, long startNs) {
        try {
            if (task.aborted) {
                return new ScsiResponse(ScsiResponse.TASK_ABORTED, null, null);
            }
            return dispatch(command, startNs);
        } catch (RuntimeException e) {
            LOG.warn("SCSI command {} from {} failed", opcodeOf(command), command.initiatorPort(), e);
            return Task.check(Sense.INTERNAL_TARGET_FAILURE);
        } finally {
            inFlight.remove(key, task);
            release(command.dataOut());
        }
    }

    private static String opcodeOf(ScsiCommand c) {
        return c.cdb() == null || c.cdb().length == 0 ? "(none)" : String.format("0x%02X", c.cdb()[0] & 0xFF);
    }

    private static void release(ByteBuf b) {
        if (b != null && b.refCnt() > 0) {
            b.release();
        }
    }

    private ScsiResponse dispatch(ScsiCommand c, long startNs) {
        if (c.cdb() == null || c.cdb().length == 0) {
            return Task.check(Sense.INVALID_COMMAND_OPERATION_CODE);
        }
        Cdb cdb = new Cdb(c.cdb());
        Entry entry = CommandTable.find(cdb.opcode(), cdb.serviceAction());
        if (entry == null) {
            return Task.check(CommandTable.knows(cdb.opcode())
                    ? Sense.INVALID_FIELD_IN_CDB : Sense.INVALID_COMMAND_OPERATION_CODE);
        }
        if (cdb.length() < entry.cdbLength()) {
            return Task.check(Sense.INVALID_FIELD_IN_CDB);
        }
        Volume v = lunMap.volume(c.initiatorName(), c.lun());
        if (v == null || v.deleted()) {
            Task none = new Task(c, cdb, null, alloc, attentions);
            return switch (cdb.opcode()) {
                case INQUIRY -> InquiryCommands.inquiry(none);
                case REPORT_LUNS -> InquiryCommands.reportLuns(none, lunMap.luns(c.initiatorName()));
                case REQUEST_SENSE -> InquiryCommands.requestSense(none, Sense.LOGICAL_UNIT_NOT_SUPPORTED);
                default -> Task.check(Sense.LOGICAL_UNIT_NOT_SUPPORTED);
            };
        }
        IoMetrics.Op op = ioOp(cdb.opcode());
        if (op == null) {
            return onVolume(c, cdb, entry, v);
        }
        long dataOutBytes = c.dataOut() == null ? 0 : c.dataOut().readableBytes();
        ScsiResponse r = null;
        try {
            r = onVolume(c, cdb, entry, v);
            return r;
        } finally {
            // r is null when the command threw: run() answers INTERNAL TARGET FAILURE
            long dataInBytes = r == null || r.dataIn() == null ? 0 : r.dataIn().readableBytes();
            metrics.record(IoMetrics.Protocol.ISCSI, v.id(), op, dataOutBytes + dataInBytes,
                    metrics.nanoTime() - startNs, r == null || r.status() != ScsiResponse.GOOD);
        }
    }

    /** What {@link IoMetrics} counts a command as, or null for commands that do no volume I/O. */
    private static IoMetrics.Op ioOp(int opcode) {
        return switch (opcode) {
            case READ_6, READ_10, READ_12, READ_16 -> IoMetrics.Op.READ;
            case WRITE_6, WRITE_10, WRITE_12, WRITE_16, WRITE_AND_VERIFY_10, WRITE_AND_VERIFY_16 -> IoMetrics.Op.WRITE;
            case SYNCHRONIZE_CACHE_10, SYNCHRONIZE_CACHE_16, UNMAP, WRITE_SAME_10, WRITE_SAME_16, COMPARE_AND_WRITE,
                    VERIFY_10, VERIFY_16 -> IoMetrics.Op.OTHER;
            default -> null;
        };
    }

    private ScsiResponse onVolume(ScsiCommand c, Cdb cdb, Entry entry, Volume v) {
        LogicalUnit lu = units.computeIfAbsent(v.id(), id -> new LogicalUnit(v));
        if (lu.sizeChanged()) {
            // Grown by whoever (the API, a tool): every nexus that used the LU learns it once.
            attentions.raiseForVolume(v.id(), Sense.CAPACITY_DATA_HAS_CHANGED);
        }
        Task t = new Task(c, cdb, lu, alloc, attentions);
        if (!entry.uaExempt()) {
            Sense ua = attentions.take(c.initiatorPort(), c.initiatorName(), v.id());
            if (ua != null) {
                return Task.check(ua);
            }
        }
        if (lu.reservations.conflicts(c.initiatorPort(), entry)) {
            return ScsiResponse.reservationConflict();
        }
        return switch (cdb.opcode()) {
            case TEST_UNIT_READY, PREVENT_ALLOW_MEDIUM_REMOVAL, START_STOP_UNIT -> ScsiResponse.good();
            case REQUEST_SENSE -> InquiryCommands.requestSense(t,
                    attentions.take(c.initiatorPort(), c.initiatorName(), v.id()));
            case INQUIRY -> InquiryCommands.inquiry(t);
            case REPORT_LUNS -> InquiryCommands.reportLuns(t, lunMap.luns(c.initiatorName()));
            case READ_CAPACITY_10 -> CapacityCommands.readCapacity10(t);
            case SERVICE_ACTION_IN_16 -> cdb.serviceAction() == SAI_READ_CAPACITY_16
                    ? CapacityCommands.readCapacity16(t) : CapacityCommands.getLbaStatus(t);
            case READ_6, READ_10, READ_12, READ_16 -> ReadWriteCommands.read(t);
            case WRITE_6, WRITE_10, WRITE_12, WRITE_16 -> ReadWriteCommands.write(t, false);
            case WRITE_AND_VERIFY_10, WRITE_AND_VERIFY_16 -> ReadWriteCommands.write(t, true);
            case VERIFY_10, VERIFY_16 -> ReadWriteCommands.verify(t);
            case COMPARE_AND_WRITE -> ReadWriteCommands.compareAndWrite(t);
            case SYNCHRONIZE_CACHE_10, SYNCHRONIZE_CACHE_16 -> ReadWriteCommands.synchronizeCache(t);
            case WRITE_SAME_10, WRITE_SAME_16 -> ProvisioningCommands.writeSame(t);
            case UNMAP -> ProvisioningCommands.unmap(t);
            case MODE_SENSE_6, MODE_SENSE_10 -> ModePages.modeSense(t);
            case MODE_SELECT_6, MODE_SELECT_10 -> ModePages.modeSelect(t);
            case MAINTENANCE_IN -> SupportedOpcodes.report(t);
            case PERSISTENT_RESERVE_IN -> lu.reservations.in(t);
            case PERSISTENT_RESERVE_OUT -> lu.reservations.out(t);
            case RESERVE_6 -> lu.reservations.reserve6(c.initiatorPort());
            case RELEASE_6 -> lu.reservations.release6(c.initiatorPort());
            default -> Task.check(Sense.INVALID_COMMAND_OPERATION_CODE);
        };
    }

    @Override
    public int taskManagement(TaskFunction function, String initiatorPort, long lun, long referencedTaskTag) {
        switch (function) {
            case ABORT_TASK -> {
                InFlight t = inFlight.get(new TaskKey(initiatorPort, referencedTaskTag));
                if (t == null) {
                    return TMF_TASK_DOES_NOT_EXIST;
                }
                t.aborted = true;
                return TMF_FUNCTION_COMPLETE;
            }
            case ABORT_TASK_SET, CLEAR_TASK_SET -> {
                inFlight.forEach((k, t) -> {
                    if (k.initiatorPort().equals(initiatorPort) && t.lun == lun) {
                        t.aborted = true;
                    }
                });
                return TMF_FUNCTION_COMPLETE;
            }
            case LOGICAL_UNIT_RESET -> {
                String name = attentions.initiatorName(initiatorPort);
                Volume v = name == null ? null : lunMap.volume(name, lun);
                if (v == null) {
                    return TMF_LUN_DOES_NOT_EXIST;
                }
                inFlight.values().forEach(t -> t.aborted |= t.lun == lun);
                reset(v.id(), initiatorPort);
                return TMF_FUNCTION_COMPLETE;
            }
            default -> {
                inFlight.values().forEach(t -> t.aborted = true);
                units.keySet().forEach(id -> reset(id, initiatorPort));
                return TMF_FUNCTION_COMPLETE;
            }
        }
    }

    /** A reset releases RESERVE(6) (persistent reservations survive) and tells the other nexuses. */
    private void reset(long volumeId, String byPort) {
        LogicalUnit lu = units.get(volumeId);
        if (lu != null) {
            lu.reservations.reset();
        }
        attentions.raiseForOthers(volumeId, byPort, Sense.POWER_ON_RESET);
    }
}
