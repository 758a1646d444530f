package io.tamp.datapath.nvme;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tamp.datapath.frontend.IoMetrics;
import io.tamp.datapath.frontend.LunMap;
import io.tamp.datapath.frontend.WriteBuffer;
import io.tamp.datapath.volume.IoStatus;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's one NVM subsystem (all mapped volumes are its namespaces, per host) and the
 * discovery subsystem in front of it. Handles Connect for both: admin queues create
 * controllers (dynamic model, ids 1..FFEFh), I/O queues join them. A host NQN is admitted to
 * the NVM subsystem only while at least one volume is mapped to it; anyone may discover, and
 * learns only the subsystems it may reach.
 */
public final class NvmeSubsystem implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NvmeSubsystem.class);
    public static final String DISCOVERY_NQN = "nqn.2014-08.org.nvmexpress.discovery";
    public static final String DEFAULT_NQN = "nqn.2026-11.io.tamp:controller";
    /** In-capsule data the I/O queues accept (IOCCSZ); admin and discovery queues take 8 KiB. */
    public static final int IO_IN_CAPSULE_BYTES = 16384;
    public static final int ADMIN_IN_CAPSULE_BYTES = 8192;
    /** The most data one command moves (MDTS in Identify Controller). */
    public static final int MAX_TRANSFER_BYTES = IdentifyData.MAX_TRANSFER_BYTES;
    static final int CONNECT_DATA_BYTES = 1024;
    private static final int MIN_ADMIN_QUEUE_ENTRIES = 32;

    private final String nqn;
    private final LunMap lunMap;
    private final Executor workers;
    private final ByteBufAllocator alloc;
    private final Supplier<IoStatus> flushAll;
    private final long serial;
    private final IoMetrics metrics;
    private final Map<Integer, NvmeController> controllers = new ConcurrentHashMap<>();
    private final Map<InetSocketAddress, Integer> ports = new ConcurrentHashMap<>();
    private final AtomicLong discoveryGeneration = new AtomicLong(1);
    private final ScheduledExecutorService timer;
    /** Write data held for commands still gathering it (R2T), over every queue; bounded. */
    public static final long DEFAULT_MAX_BUFFERED_WRITE_BYTES = 256L << 20;
    private final WriteBuffer writes = new WriteBuffer(DEFAULT_MAX_BUFFERED_WRITE_BYTES);
    private int nextId = 1;
    private long ticks;

    /**
     * @param flushAll makes every volume's written data durable (the engine's flush)
     * @param serial   stable per pool: the controllers' serial number derives from it
     */
    public NvmeSubsystem(String nqn, LunMap lunMap, Executor workers, ByteBufAllocator alloc,
            Supplier<IoStatus> flushAll, long serial) {
        this(nqn, lunMap, workers, alloc, flushAll, serial, IoMetrics.NONE);
    }

    /**
     * @param metrics records every I/O command on a namespace (see {@link NvmeController}'s I/O
     *                commands)
     */
    public NvmeSubsystem(String nqn, LunMap lunMap, Executor workers, ByteBufAllocator alloc,
            Supplier<IoStatus> flushAll, long serial, IoMetrics metrics) {
        if (!nqn.startsWith("nqn.") || nqn.getBytes(StandardCharsets.UTF_8).length > 223) {
            throw new IllegalArgumentException("not an NQN: " + nqn);
        }
        this.nqn = nqn;
        this.lunMap = lunMap;
        this.workers = workers;
        this.alloc = alloc;
        this.flushAll = flushAll;
        this.serial = serial;
        this.metrics = metrics;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tamp-nvme-keepalive");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::checkKeepAlives, 100, 100, TimeUnit.MILLISECONDS);
        lunMap.addListener(host -> {
            discoveryGeneration.incrementAndGet();
            controllers.values().stream().filter(c -> c.hostNqn().equals(host))
                    .forEach(NvmeController::namespacesMayHaveChanged);
        });
    }

    public String nqn() {
        return nqn;
    }

    long serial() {
        return serial;
    }

    LunMap lunMap() {
        return lunMap;
    }

    Executor workers() {
        return workers;
    }

    ByteBufAllocator alloc() {
        return alloc;
    }

    IoMetrics metrics() {
        return metrics;
    }

    IoStatus flush() {
        return flushAll.get();
    }

    void flushQuietly() {
        IoStatus s = flushAll.get();
        if (!s.ok()) {
            LOG.warn("flush for an NVMe controller state change failed: {}", s);
        }
    }

    /** A listener the discovery log names (port id = order of registration). */
    public void addPort(InetSocketAddress address) {
        ports.putIfAbsent(address, ports.size() + 1);
        discoveryGeneration.incrementAndGet();
    }

    /** Volume grown or otherwise changed under its hosts: each affected controller queues a notice. */
    public void namespacesChanged() {
        controllers.values().forEach(NvmeController::namespacesMayHaveChanged);
    }

    /** Write data held for R2T writes across every queue; a write that does not fit waits for room. */
    public WriteBuffer writeBuffer() {
        return writes;
    }

    public boolean admits(String hostNqn) {
        return !lunMap.luns(hostNqn).isEmpty();
    }

    private void checkKeepAlives() {
        long now = System.nanoTime();
        boolean lookForResizes = ++ticks % 10 == 0; // once a second: a grown volume raises its notice
        for (NvmeController c : controllers.values()) {
            try {
                c.checkKeepAlive(now);
                if (lookForResizes) {
                    c.namespacesMayHaveChanged();
                }
            } catch (RuntimeException e) {
                LOG.warn("keep alive check of controller {} failed", c.id(), e);
            }
        }
    }

    void remove(NvmeController c) {
        controllers.remove(c.id(), c);
    }

    /** The outcome of a Connect: the queue, or the completion that refuses it. */
    public record Connected(NvmeQueue queue, Completion completion) {
    }

    /**
     * Fabrics Connect (NVMe-oF 1.1 3.3): validates the command and its 1024-byte data, then
     * creates a controller (admin queue) or joins one (I/O queue).
     */
    public Connected connect(Sqe sqe, ByteBuf data, InetSocketAddress reachedVia) {
        if (sqe.u16(40) != 0) {
            return refuse(Completion.error(Status.CONNECT_INCOMPATIBLE_FORMAT));
        }
        if (data == null || data.readableBytes() != CONNECT_DATA_BYTES) {
            return refuse(Completion.error(Status.SGL_DATA_LENGTH_INVALID));
        }
        int qid = sqe.u16(42);
        int entries = sqe.u16(44) + 1;
        boolean sqFlowControl = (sqe.u8(46) & 0x04) == 0;
        long kato = sqe.u32(48);
        int base = data.readerIndex();
        int cntlid = data.getUnsignedShortLE(base + 16);
        String subnqn = nqnAt(data, base + 256);
        String hostNqn = nqnAt(data, base + 512);
        if (entries < 2 || entries > Properties.MQES + 1 || (qid == 0 && entries < MIN_ADMIN_QUEUE_ENTRIES)) {
            return refuse(Completion.invalidConnectParameter(false, 44));
        }
        boolean discovery = subnqn.equals(DISCOVERY_NQN);
        if (!discovery && !subnqn.equals(nqn)) {
            return refuse(Completion.invalidConnectParameter(true, 256));
        }
        if (hostNqn.isEmpty()) {
            return refuse(Completion.invalidConnectParameter(true, 512));
        }
        if (!discovery && !admits(hostNqn)) {
            LOG.info("NVMe host {} refused: no volume is mapped to it", hostNqn);
            return refuse(Completion.error(Status.CONNECT_INVALID_HOST));
        }
        if (qid == 0) {
            if (cntlid != 0xFFFF) {
                return refuse(Completion.invalidConnectParameter(true, 16)); // dynamic controllers only
            }
            NvmeController c = newController(hostNqn, subnqn, discovery, kato, reachedVia);
            if (c == null) {
                return refuse(Completion.error(Status.CONNECT_CONTROLLER_BUSY));
            }
            LOG.info("NVMe {} controller {} for {} (KATO {} ms)", discovery ? "discovery" : "I/O", c.id(), hostNqn, kato);
            return new Connected(new NvmeQueue(c, 0, entries, sqFlowControl), Completion.success(c.id()));
        }
        NvmeController c = controllers.get(cntlid);
        if (c == null || !c.hostNqn().equals(hostNqn) || !c.subsystemNqn().equals(subnqn) || c.discovery()) {
            return refuse(Completion.invalidConnectParameter(true, 16));
        }
        if (!c.enabled()) {
            return refuse(Completion.error(Status.COMMAND_SEQUENCE_ERROR));
        }
        if (qid > NvmeController.MAX_IO_QUEUES) {
            return refuse(Completion.invalidConnectParameter(false, 42));
        }
        return new Connected(new NvmeQueue(c, qid, entries, sqFlowControl), Completion.success(c.id()));
    }

    private static Connected refuse(Completion c) {
        return new Connected(null, c);
    }

    private synchronized NvmeController newController(String hostNqn, String subnqn, boolean discovery, long kato,
            InetSocketAddress reachedVia) {
        for (int tries = 0; tries < 0xFFEF; tries++) {
            int id = nextId;
            nextId = nextId >= 0xFFEF ? 1 : nextId + 1;
            if (!controllers.containsKey(id)) {
                NvmeController c = new NvmeController(this, id, hostNqn, subnqn, discovery, kato,
                        discovery ? ADMIN_IN_CAPSULE_BYTES + 64 : IO_IN_CAPSULE_BYTES + 64, reachedVia);
                controllers.put(id, c);
                return c;
            }
        }
        return null;
    }

    private static String nqnAt(ByteBuf data, int index) {
        int end = index;
        while (end < index + 256 && data.getByte(end) != 0) {
            end++;
        }
        return data.toString(index, end - index, StandardCharsets.UTF_8);
    }

    /**
     * Discovery Log Page (LID 70h): one entry per port for the NVM subsystem, if the host may
     * reach it; a port bound to the wildcard address is named by the address the host reached.
     */
    ByteBuf discoveryLog(String hostNqn, InetSocketAddress reachedVia) {
        Map<InetSocketAddress, Integer> reachable = admits(hostNqn) ? ports : Map.of();
        int records = reachable.size();
        ByteBuf b = alloc.buffer(1024 * (1 + records));
        b.writeZero(1024 * (1 + records));
        b.setLongLE(0, discoveryGeneration.get());
        b.setLongLE(8, records);
        int at = 1024;
        for (Map.Entry<InetSocketAddress, Integer> p : reachable.entrySet()) {
            InetSocketAddress a = p.getKey();
            if (a.getAddress().isAnyLocalAddress() && reachedVia != null) {
                a = new InetSocketAddress(reachedVia.getAddress(), a.getPort());
            }
            b.setByte(at, 3); // TRTYPE TCP
            b.setByte(at + 1, a.getAddress() instanceof java.net.Inet6Address ? 2 : 1); // ADRFAM
            b.setByte(at + 2, 2); // SUBTYPE: NVM subsystem
            b.setByte(at + 3, 0x02 | 0x04); // TREQ: secure channel not required; SQ flow control may be disabled
            b.setShortLE(at + 4, p.getValue()); // PORTID
            b.setShortLE(at + 6, 0xFFFF); // CNTLID: dynamic
            b.setShortLE(at + 8, MIN_ADMIN_QUEUE_ENTRIES); // ASQSZ
            IdentifyData.ascii(b, at + 32, 32, Integer.toString(a.getPort()));
            IdentifyData.nqn(b, at + 256, nqn);
            IdentifyData.ascii(b, at + 512, 256, a.getAddress().getHostAddress());
            at += 1024;
        }
        return b;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        controllers.values().forEach(c -> c.fail("subsystem closing"));
    }
}
