package io.tamp.datapath.nvme;

import io.tamp.datapath.frontend.InlineReads;

import io.netty.buffer.ByteBuf;
import io.tamp.datapath.frontend.IoMetrics;
import io.tamp.datapath.volume.IoStatus;
import io.tamp.datapath.volume.Volume;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One controller of the subsystem, created by an admin-queue Connect for one host (dynamic
 * controller model). Holds the properties (CC/CSTS state machine), features, keep alive,
 * asynchronous events and the SMART counters, and runs admin and I/O commands. Volume I/O runs
 * on the subsystem's workers; everything else answers at once. Thread-safe: its queues live on
 * different event loops.
 */
public final class NvmeController {
    private static final Logger LOG = LoggerFactory.getLogger(NvmeController.class);
    static final int MAX_ASYNC_EVENTS = 4;
    /** Highest NSID: LUN 16383 + 1. */
    static final int MAX_NSID = 16384;
    static final int MAX_IO_QUEUES = 64;

    // admin opcodes
    static final int GET_LOG_PAGE = 0x02;
    static final int IDENTIFY = 0x06;
    static final int ABORT = 0x08;
    static final int SET_FEATURES = 0x09;
    static final int GET_FEATURES = 0x0A;
    static final int ASYNC_EVENT_REQUEST = 0x0C;
    static final int KEEP_ALIVE = 0x18;
    // I/O opcodes
    static final int FLUSH = 0x00;
    static final int WRITE = 0x01;
    static final int READ = 0x02;
    static final int COMPARE = 0x05;
    static final int WRITE_ZEROES = 0x08;
    static final int DATASET_MANAGEMENT = 0x09;
    // features
    static final int FEATURE_VOLATILE_WRITE_CACHE = 0x06;
    static final int FEATURE_NUMBER_OF_QUEUES = 0x07;
    static final int FEATURE_ASYNC_EVENT_CONFIG = 0x0B;
    static final int FEATURE_KEEP_ALIVE_TIMER = 0x0F;
    // logs
    static final int LOG_ERROR = 0x01;
    static final int LOG_SMART = 0x02;
    static final int LOG_FIRMWARE_SLOT = 0x03;
    static final int LOG_CHANGED_NAMESPACES = 0x04;
    static final int LOG_DISCOVERY = 0x70;

    private final NvmeSubsystem subsystem;
    private final int id;
    private final String hostNqn;
    private final String subsystemNqn;
    private final boolean discovery;
    private final int ioCapsuleBytes;
    private final java.net.InetSocketAddress reachedVia;
    private final List<Runnable> queueClosers = new CopyOnWriteArrayList<>();

    private long cc;
    private long csts;
    private volatile long keepAliveMillis;
    private volatile long lastKeepAlive = System.nanoTime();
    private long asyncEventConfig;
    private int queuesGranted = -1;
    private volatile boolean writeCache = true;
    private final Deque<CompletableFuture<Completion>> asyncRequests = new ArrayDeque<>();
    private final Deque<Long> pendingEvents = new ArrayDeque<>();
    private final TreeSet<Long> changedNamespaces = new TreeSet<>();
    private boolean changedListOverflow;
    /** NSID → volume id and size, as the host last saw them (for namespace attribute notices). */
    private Map<Long, long[]> seen = new TreeMap<>();
    private volatile boolean failed;

    final AtomicLong bytesRead = new AtomicLong();
    final AtomicLong bytesWritten = new AtomicLong();
    final AtomicLong readCommands = new AtomicLong();
    final AtomicLong writeCommands = new AtomicLong();

    NvmeController(NvmeSubsystem subsystem, int id, String hostNqn, String subsystemNqn, boolean discovery,
            long keepAliveMillis, int ioCapsuleBytes, java.net.InetSocketAddress reachedVia) {
        this.subsystem = subsystem;
        this.id = id;
        this.hostNqn = hostNqn;
        this.subsystemNqn = subsystemNqn;
        this.discovery = discovery;
        this.keepAliveMillis = keepAliveMillis;
        this.ioCapsuleBytes = ioCapsuleBytes;
        this.reachedVia = reachedVia;
        this.seen = snapshot();
    }

    public int id() {
        return id;
    }

    public String hostNqn() {
        return hostNqn;
    }

    public String subsystemNqn() {
        return subsystemNqn;
    }

    public boolean discovery() {
        return discovery;
    }

    NvmeSubsystem subsystem() {
        return subsystem;
    }

    /** The transport registers how to close each of its queues; a failed controller closes them all. */
    public void onFailure(Runnable closeQueue) {
        queueClosers.add(closeQueue);
        if (failed) {
            closeQueue.run();
        }
    }

    public synchronized boolean enabled() {
        return (csts & Properties.CSTS_RDY) != 0;
    }

    boolean failed() {
        return failed;
    }

    /** Keep alive expired, admin queue gone, or shut down: every queue is closed, the id freed. */
    void fail(String why) {
        if (failed) {
            return;
        }
        failed = true;
        LOG.info("NVMe controller {} for {} ends: {}", id, hostNqn, why);
        synchronized (this) {
            csts |= Properties.CSTS_CFS;
            asyncRequests.forEach(f -> f.complete(Completion.error(Status.ABORTED_SQ_DELETION)));
            asyncRequests.clear();
        }
        queueClosers.forEach(Runnable::run);
        subsystem.remove(this);
    }

    /** Called by the subsystem's timer: a silent host's controller is torn down (NVMe Base 3.9). */
    void checkKeepAlive(long now) {
        long kato = keepAliveMillis;
        if (kato > 0 && now - lastKeepAlive > kato * 1_000_000L) {
            fail("keep alive timeout (" + kato + " ms)");
        }
    }

    private void touch() {
        lastKeepAlive = System.nanoTime();
    }

    // ---------------------------------------------------------------- fabrics properties

    public synchronized Completion propertyGet(Sqe sqe) {
        int size = sqe.u8(40) & 0x07;
        long offset = sqe.u32(44);
        long value;
        if (offset == Properties.CAP && size == 1) {
            value = Properties.CAP_VALUE;
        } else if (offset == Properties.VS && size == 0) {
            value = Properties.VERSION;
        } else if (offset == Properties.CC && size == 0) {
            value = cc;
        } else if (offset == Properties.CSTS && size == 0) {
            value = csts;
        } else {
            return Completion.error(Status.INVALID_FIELD);
        }
        return new Completion(Status.SUCCESS, value & 0xFFFF_FFFFL, value >>> 32, null);
    }

    public synchronized Completion propertySet(Sqe sqe) {
        int size = sqe.u8(40) & 0x07;
        long offset = sqe.u32(44);
        long value = sqe.u64(48);
        if (size != 0 || (offset != Properties.CC && offset != Properties.NSSR)) {
            return Completion.error(Status.INVALID_FIELD);
        }
        if (offset == Properties.NSSR) {
            return Completion.success(); // NVM subsystem reset: nothing to reset here
        }
        long old = cc;
        cc = value & 0xFFFF_FFFFL;
        boolean enable = (cc & Properties.CC_EN) != 0;
        int shutdown = (int) (cc >>> Properties.CC_SHN_SHIFT & 0x03);
        if (enable && (old & Properties.CC_EN) == 0) {
            // IOSQES 6 and IOCQES 4 are the only entry sizes we take (CC bits 19:16, 23:20).
            long iosqes = cc >>> 16 & 0x0F;
            long iocqes = cc >>> 20 & 0x0F;
            if (!discovery && (iosqes != 6 || iocqes != 4)) {
                csts |= Properties.CSTS_CFS;
                return Completion.error(Status.INVALID_FIELD);
            }
            csts = (csts & ~Properties.CSTS_SHST_COMPLETE) | Properties.CSTS_RDY;
        } else if (!enable && (old & Properties.CC_EN) != 0) {
            csts &= ~Properties.CSTS_RDY; // a controller reset: I/O queues are gone
            subsystem.flushQuietly();
        }
        if (shutdown != 0) {
            subsystem.flushQuietly(); // a normal or abrupt shutdown: make written data durable first
            csts = (csts & ~(0x03 << 2)) | Properties.CSTS_SHST_COMPLETE;
        }
        return Completion.success();
    }

    // ---------------------------------------------------------------- admin commands

    /** An admin command from the admin queue; any data it carried is released here. */
    public CompletableFuture<Completion> submitAdmin(Sqe sqe, ByteBuf data) {
        release(data);
        return admin(sqe, null);
    }

    /**
     * An I/O command from an I/O queue; takes ownership of {@code data}. With {@code alone}
     * ({@link InlineReads#alone}) a short read runs on the calling thread and the returned future
     * is already complete.
     */
    public CompletableFuture<Completion> submitIo(Sqe sqe, ByteBuf data, boolean alone) {
        return io(sqe, data, alone);
    }

    /** The admin queue's connection closed: the association ends (NVMe-oF 1.1 3.4). */
    public void failAdminQueueGone() {
        fail("admin queue disconnected");
    }

    CompletableFuture<Completion> admin(Sqe sqe, ByteBuf data) {
        touch();
        if (!enabled()) {
            return CompletableFuture.completedFuture(Completion.error(Status.COMMAND_SEQUENCE_ERROR));
        }
        int opcode = sqe.opcode();
        if (discovery && opcode != IDENTIFY && opcode != GET_LOG_PAGE && opcode != KEEP_ALIVE
                && opcode != ASYNC_EVENT_REQUEST && opcode != SET_FEATURES && opcode != GET_FEATURES) {
            return CompletableFuture.completedFuture(Completion.error(Status.INVALID_OPCODE));
        }
        return switch (opcode) {
            case IDENTIFY -> CompletableFuture.completedFuture(identify(sqe));
            case GET_LOG_PAGE -> CompletableFuture.completedFuture(logPage(sqe));
            case SET_FEATURES -> CompletableFuture.completedFuture(setFeatures(sqe));
            case GET_FEATURES -> CompletableFuture.completedFuture(getFeatures(sqe));
            case KEEP_ALIVE -> CompletableFuture.completedFuture(Completion.success());
            case ABORT -> CompletableFuture.completedFuture(Completion.success(1)); // not aborted
            case ASYNC_EVENT_REQUEST -> asyncEventRequest();
            default -> CompletableFuture.completedFuture(Completion.error(Status.INVALID_OPCODE));
        };
    }

    private ByteBuf zeroed(int bytes) {
        ByteBuf b = subsystem.alloc().buffer(bytes, bytes);
        b.writeZero(bytes);
        return b;
    }

    private Completion identify(Sqe sqe) {
        int cns = (int) (sqe.cdw(10) & 0xFF);
        int csi = (int) (sqe.cdw(11) >>> 24);
        long nsid = sqe.nsid();
        ByteBuf b = zeroed(IdentifyData.BYTES);
        switch (cns) {
            case 0x01 -> IdentifyData.controller(b, this, ioCapsuleBytes);
            case 0x00, 0x03, 0x05 -> {
                Namespace ns = namespace(nsid);
                if (ns == null || (cns == 0x05 && csi != 0)) {
                    b.release();
                    // CNS 00h of an inactive but valid NSID returns zeros (NVMe Base 5.17.2.1)
                    if (cns == 0x00 && nsid >= 1 && nsid <= MAX_NSID && !discovery) {
                        return Completion.data(zeroed(IdentifyData.BYTES));
                    }
                    return Completion.error(cns == 0x05 && ns != null ? Status.INVALID_FIELD : Status.INVALID_NAMESPACE);
                }
                if (cns == 0x00) {
                    IdentifyData.namespace(b, ns);
                } else if (cns == 0x03) {
                    IdentifyData.descriptors(b, ns);
                } // CNS 05h, CSI 0: the NVM command set adds nothing we report (all zeros)
            }
            case 0x02 -> {
                int at = 0;
                for (Namespace ns : namespaces()) {
                    if (ns.nsid() > nsid && at < IdentifyData.BYTES) {
                        b.setIntLE(at, (int) ns.nsid());
                        at += 4;
                    }
                }
            }
            case 0x06 -> {
                if (csi != 0) {
                    b.release();
                    return Completion.error(Status.INVALID_FIELD);
                } // NVM command set controller data: no limits beyond MDTS (all zeros)
            }
            default -> {
                b.release();
                return Completion.error(Status.INVALID_FIELD);
            }
        }
        return Completion.data(b);
    }

    private Completion logPage(Sqe sqe) {
        long cdw10 = sqe.cdw(10);
        int lid = (int) (cdw10 & 0xFF);
        boolean retainEvent = (cdw10 & 1 << 15) != 0;
        long dwords = ((sqe.cdw(11) & 0xFFFF) << 16 | cdw10 >>> 16) + 1;
        long offset = sqe.cdw(12) | sqe.cdw(13) << 32;
        if ((offset & 3) != 0) {
            return Completion.error(Status.INVALID_FIELD);
        }
        ByteBuf page;
        if (discovery) {
            if (lid != LOG_DISCOVERY) {
                return Completion.error(Status.INVALID_LOG_PAGE);
            }
            page = subsystem.discoveryLog(hostNqn, reachedVia);
        } else {
            switch (lid) {
                case LOG_ERROR -> page = zeroed(64);
                case LOG_SMART -> page = smart();
                case LOG_FIRMWARE_SLOT -> {
                    page = zeroed(512);
                    page.setByte(0, 1);
                    IdentifyData.ascii(page, 8, 8, IdentifyData.FIRMWARE);
                }
                case LOG_CHANGED_NAMESPACES -> page = changedNamespaces(!retainEvent);
                default -> {
                    return Completion.error(Status.INVALID_LOG_PAGE);
                }
            }
        }
        long want = dwords * 4;
        ByteBuf out = zeroed((int) Math.min(want, IdentifyData.MAX_TRANSFER_BYTES));
        if (offset < page.readableBytes()) {
            int n = (int) Math.min(out.capacity(), page.readableBytes() - offset);
            out.setBytes(0, page, (int) offset, n);
        }
        page.release();
        return Completion.data(out);
    }

    private ByteBuf smart() {
        ByteBuf b = zeroed(512);
        b.setShortLE(1, 273 + 35); // composite temperature, Kelvin: nominal, we have no sensor
        b.setByte(3, 100); // available spare
        b.setByte(4, 10); // threshold
        // data units: thousands of 512-byte units, rounded up (NVMe Base 5.16.1.3)
        b.setLongLE(32, (bytesRead.get() / 512 + 999) / 1000);
        b.setLongLE(48, (bytesWritten.get() / 512 + 999) / 1000);
        b.setLongLE(64, readCommands.get());
        b.setLongLE(80, writeCommands.get());
        return b;
    }

    private synchronized ByteBuf changedNamespaces(boolean clear) {
        ByteBuf b = zeroed(4096);
        if (changedListOverflow) {
            b.setIntLE(0, 0xFFFF_FFFF);
        } else {
            int at = 0;
            for (long nsid : changedNamespaces) {
                b.setIntLE(at, (int) nsid);
                at += 4;
            }
        }
        if (clear) {
            changedNamespaces.clear();
            changedListOverflow = false;
        }
        return b;
    }

    private synchronized Completion setFeatures(Sqe sqe) {
        long cdw10 = sqe.cdw(10);
        int fid = (int) (cdw10 & 0xFF);
        if ((cdw10 & 1L << 31) != 0) {
            return Completion.error(Status.FEATURE_NOT_SAVEABLE);
        }
        long value = sqe.cdw(11);
        switch (fid) {
            case FEATURE_NUMBER_OF_QUEUES -> {
                if (discovery) {
                    return Completion.error(Status.INVALID_FIELD);
                }
                long nsqr = value & 0xFFFF;
                long ncqr = value >>> 16;
                if (nsqr == 0xFFFF || ncqr == 0xFFFF) {
                    return Completion.error(Status.INVALID_FIELD);
                }
                if (queuesGranted < 0) {
                    queuesGranted = (int) Math.min(Math.min(nsqr, ncqr), MAX_IO_QUEUES - 1);
                }
                return Completion.success((long) queuesGranted << 16 | queuesGranted);
            }
            case FEATURE_KEEP_ALIVE_TIMER -> {
                keepAliveMillis = value;
                touch();
                return Completion.success();
            }
            case FEATURE_ASYNC_EVENT_CONFIG -> {
                asyncEventConfig = value;
                return Completion.success();
            }
            case FEATURE_VOLATILE_WRITE_CACHE -> {
                if (discovery) {
                    return Completion.error(Status.INVALID_FIELD);
                }
                boolean on = (value & 1) != 0;
                if (!on && writeCache) {
                    subsystem.flushQuietly(); // from now on every write is written through
                }
                writeCache = on;
                return Completion.success();
            }
            default -> {
                return Completion.error(Status.INVALID_FIELD);
            }
        }
    }

    private synchronized Completion getFeatures(Sqe sqe) {
        int fid = (int) (sqe.cdw(10) & 0xFF);
        int select = (int) (sqe.cdw(10) >>> 8 & 0x07);
        if (select == 3) { // supported capabilities: none saveable, all changeable
            return Completion.success(0x04);
        }
        boolean defaults = select == 1;
        return switch (fid) {
            case FEATURE_NUMBER_OF_QUEUES -> {
                int n = queuesGranted < 0 || defaults ? MAX_IO_QUEUES - 1 : queuesGranted;
                yield discovery ? Completion.error(Status.INVALID_FIELD) : Completion.success((long) n << 16 | n);
            }
            case FEATURE_KEEP_ALIVE_TIMER -> Completion.success(defaults ? 0 : keepAliveMillis);
            case FEATURE_ASYNC_EVENT_CONFIG -> Completion.success(defaults ? 0 : asyncEventConfig);
            case FEATURE_VOLATILE_WRITE_CACHE -> discovery ? Completion.error(Status.INVALID_FIELD)
                    : Completion.success(defaults || writeCache ? 1 : 0);
            default -> Completion.error(Status.INVALID_FIELD);
        };
    }

    private synchronized CompletableFuture<Completion> asyncEventRequest() {
        if (asyncRequests.size() >= MAX_ASYNC_EVENTS) {
            return CompletableFuture.completedFuture(Completion.error(Status.ASYNC_EVENT_LIMIT_EXCEEDED));
        }
        CompletableFuture<Completion> f = new CompletableFuture<>();
        asyncRequests.add(f);
        deliverEvents();
        return f;
    }

    private void deliverEvents() {
        while (!asyncRequests.isEmpty() && !pendingEvents.isEmpty()) {
            asyncRequests.poll().complete(Completion.success(pendingEvents.poll()));
        }
    }

    /** The LUN map or a volume changed: queue a namespace attribute notice if the host's view moved. */
    synchronized void namespacesMayHaveChanged() {
        if (discovery) {
            return;
        }
        Map<Long, long[]> now = snapshot();
        TreeSet<Long> changed = new TreeSet<>();
        for (Map.Entry<Long, long[]> e : now.entrySet()) {
            long[] before = seen.get(e.getKey());
            if (before == null || before[0] != e.getValue()[0] || before[1] != e.getValue()[1]) {
                changed.add(e.getKey());
            }
        }
        for (Long nsid : seen.keySet()) {
            if (!now.containsKey(nsid)) {
                changed.add(nsid);
            }
        }
        seen = now;
        if (changed.isEmpty()) {
            return;
        }
        boolean alreadyPending = !changedNamespaces.isEmpty() || changedListOverflow;
        changedNamespaces.addAll(changed);
        if (changedNamespaces.size() > 1024) {
            changedListOverflow = true;
            changedNamespaces.clear();
        }
        // Notice (type 2), namespace attribute changed (info 0), log page 04h; masked until the log is read.
        if (!alreadyPending && (asyncEventConfig & 1 << 8) != 0) {
            pendingEvents.add(0x02L | 0x00L << 8 | (long) LOG_CHANGED_NAMESPACES << 16);
            deliverEvents();
        }
    }

    private Map<Long, long[]> snapshot() {
        Map<Long, long[]> m = new TreeMap<>();
        for (Namespace ns : namespaces()) {
            m.put(ns.nsid(), new long[] {ns.volume().id(), ns.volume().sizeBytes()});
        }
        return m;
    }

    List<Namespace> namespaces() {
        List<Namespace> out = new ArrayList<>();
        if (!discovery) {
            subsystem.lunMap().luns(hostNqn).forEach((lun, v) -> {
                if (!v.deleted()) {
                    out.add(new Namespace(lun + 1, v));
                }
            });
        }
        return out;
    }

    Namespace namespace(long nsid) {
        if (discovery || nsid < 1 || nsid > MAX_NSID) {
            return null;
        }
        Volume v = subsystem.lunMap().volume(hostNqn, nsid - 1);
        return v == null || v.deleted() ? null : new Namespace(nsid, v);
    }

    // ---------------------------------------------------------------- I/O commands

    /**
     * Runs an I/O command on the workers (a lone short read on the calling thread, see
     * {@link InlineReads}). {@code data} is the host's data for writes (released
     * here); reads return theirs in the completion. Commands on a namespace go to the
     * subsystem's {@link IoMetrics} (see {@link #ioOp}), timed from here to their completion;
     * a flush of every namespace (NSID FFFFFFFFh) names no volume and is not recorded.
     */
    CompletableFuture<Completion> io(Sqe sqe, ByteBuf data, boolean alone) {
        if (!enabled()) {
            release(data);
            return CompletableFuture.completedFuture(Completion.error(Status.COMMAND_SEQUENCE_ERROR));
        }
        int opcode = sqe.opcode();
        long nsid = sqe.nsid();
        if (opcode == FLUSH && nsid == 0xFFFF_FFFFL) {
            return CompletableFuture.supplyAsync(() -> Completion.error(Status.of(subsystem.flush())),
                    subsystem.workers());
        }
        Namespace ns = namespace(nsid);
        if (ns == null) {
            release(data);
            return CompletableFuture.completedFuture(Completion.error(Status.INVALID_NAMESPACE));
        }
        IoMetrics metrics = subsystem.metrics();
        long startNs = metrics.nanoTime();
        IoMetrics.Op op = ioOp(opcode);
        long dataOutBytes = data == null ? 0 : data.readableBytes();
        java.util.function.Supplier<Completion> work = () -> {
            Completion done;
            try {
                done = run(opcode, sqe, ns.volume(), data);
            } catch (RuntimeException e) {
                LOG.error("NVMe command {} failed", opcode, e);
                done = Completion.error(Status.INTERNAL_ERROR);
            } finally {
                release(data);
            }
            if (op != null) {
                long dataInBytes = done.dataIn() == null ? 0 : done.dataIn().readableBytes();
                metrics.record(IoMetrics.Protocol.NVME, ns.volume().id(), op, dataOutBytes + dataInBytes,
                        metrics.nanoTime() - startNs, !done.ok());
            }
            return done;
        };
        if (alone && opcode == READ && (sqe.cdw(12) & 0xFFFF) < InlineReads.MAX_BLOCKS) {
            return CompletableFuture.completedFuture(work.get());
        }
        return CompletableFuture.supplyAsync(work, subsystem.workers());
    }

    /** What {@link IoMetrics} counts an I/O command as; null for opcodes we do not implement. */
    private static IoMetrics.Op ioOp(int opcode) {
        return switch (opcode) {
            case READ -> IoMetrics.Op.READ;
            case WRITE -> IoMetrics.Op.WRITE;
            case FLUSH, WRITE_ZEROES, DATASET_MANAGEMENT, COMPARE -> IoMetrics.Op.OTHER;
            default -> null;
        };
    }

    private static void release(ByteBuf data) {
        if (data != null) {
            data.release();
        }
    }

    private Completion run(int opcode, Sqe sqe, Volume v, ByteBuf data) {
        long slba = sqe.cdw(10) | sqe.cdw(11) << 32;
        long blocks = (sqe.cdw(12) & 0xFFFF) + 1;
        boolean fua = (sqe.cdw(12) & 1L << 30) != 0 || !writeCache;
        long capacity = v.sizeBytes() / IdentifyData.LBA_BYTES;
        boolean ranged = opcode == READ || opcode == WRITE || opcode == COMPARE || opcode == WRITE_ZEROES;
        if (ranged && (slba < 0 || slba >= capacity || blocks > capacity - slba)) {
            return Completion.error(Status.LBA_OUT_OF_RANGE);
        }
        long offset = slba * IdentifyData.LBA_BYTES;
        int bytes = (int) (blocks * IdentifyData.LBA_BYTES);
        switch (opcode) {
            case READ -> {
                ByteBuf out = subsystem.alloc().directBuffer(bytes, bytes);
                IoStatus s = v.read(offset, out.nioBuffer(0, bytes));
                if (!s.ok()) {
                    out.release();
                    return Completion.error(Status.of(s));
                }
                readCommands.incrementAndGet();
                bytesRead.addAndGet(bytes);
                return Completion.data(out.writerIndex(bytes));
            }
            case WRITE -> {
                if (data == null || data.readableBytes() < bytes) {
                    return Completion.error(Status.SGL_DATA_LENGTH_INVALID);
                }
                IoStatus s = v.write(offset, data.nioBuffer(data.readerIndex(), bytes), fua);
                if (s.ok()) {
                    writeCommands.incrementAndGet();
                    bytesWritten.addAndGet(bytes);
                }
                return Completion.error(Status.of(s));
            }
            case COMPARE -> {
                if (data == null || data.readableBytes() < bytes) {
                    return Completion.error(Status.SGL_DATA_LENGTH_INVALID);
                }
                byte[] medium = new byte[bytes];
                IoStatus s = v.read(offset, medium);
                if (!s.ok()) {
                    return Completion.error(Status.of(s));
                }
                boolean same = ByteBuffer.wrap(medium).equals(data.nioBuffer(data.readerIndex(), bytes));
                return Completion.error(same ? Status.SUCCESS : Status.COMPARE_FAILURE);
            }
            case WRITE_ZEROES -> {
                boolean deallocate = (sqe.cdw(12) & 1L << 25) != 0;
                IoStatus s = v.writeZeroes(offset, (long) bytes, deallocate);
                if (s.ok() && fua) {
                    s = v.flush();
                }
                return Completion.error(Status.of(s));
            }
            case DATASET_MANAGEMENT -> {
                int ranges = (int) (sqe.cdw(10) & 0xFF) + 1;
                boolean deallocate = (sqe.cdw(11) & 0x04) != 0;
                // Linux always sends a 4 KiB buffer of ranges: a longer SGL is fine (SGLS bit 18)
                if (data == null || data.readableBytes() < ranges * 16) {
                    return Completion.error(Status.SGL_DATA_LENGTH_INVALID);
                }
                int base = data.readerIndex();
                for (int i = 0; i < ranges; i++) {
                    long length = data.getUnsignedIntLE(base + i * 16 + 4);
                    long start = data.getLongLE(base + i * 16 + 8);
                    if (start < 0 || start > capacity || length > capacity - start) {
                        return Completion.error(Status.LBA_OUT_OF_RANGE);
                    }
                }
                if (!deallocate) {
                    return Completion.success(); // only hints otherwise
                }
                for (int i = 0; i < ranges; i++) {
                    long length = data.getUnsignedIntLE(base + i * 16 + 4);
                    long start = data.getLongLE(base + i * 16 + 8);
                    IoStatus s = v.unmap(start * IdentifyData.LBA_BYTES, length * IdentifyData.LBA_BYTES);
                    if (!s.ok()) {
                        return Completion.error(Status.of(s));
                    }
                }
                return Completion.success();
            }
            case FLUSH -> {
                return Completion.error(Status.of(v.flush()));
            }
            default -> {
                return Completion.error(Status.INVALID_OPCODE);
            }
        }
    }
}
