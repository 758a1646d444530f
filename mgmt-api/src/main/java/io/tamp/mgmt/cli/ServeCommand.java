package io.tamp.mgmt.cli;

import io.netty.buffer.PooledByteBufAllocator;
import io.tamp.datapath.iscsi.IscsiNames;
import io.tamp.datapath.iscsi.IscsiServer;
import io.tamp.datapath.nvme.NvmeSubsystem;
import io.tamp.datapath.nvmetcp.NvmeTcpServer;
import io.tamp.datapath.iscsi.IscsiTargetConfig;
import io.tamp.datapath.frontend.LunMap;
import io.tamp.datapath.scsi.ScsiDisk;
import io.tamp.datapath.volume.Engine;
import io.tamp.datapath.volume.Volume;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.ssl.SslContext;
import io.tamp.datapath.frontend.IoMetrics;
import io.tamp.mgmt.api.AuditLog;
import io.tamp.mgmt.api.Controller;
import io.tamp.mgmt.api.Jobs;
import io.tamp.mgmt.api.ManagementApi;
import io.tamp.mgmt.auth.Tokens;
import io.tamp.mgmt.auth.Users;
import io.tamp.mgmt.catalog.Catalog;
import io.tamp.mgmt.http.ApiServer;
import io.tamp.mgmt.http.Tls;
import java.util.function.LongSupplier;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The controller: opens (or creates) the pool, creates and maps the volumes it is told to, serves
 * them over iSCSI and NVMe/TCP, and runs until SIGTERM / SIGINT, then shuts down cleanly. Volumes
 * and mappings come from options until the REST API owns them: a volume mapped to an IQN is an
 * iSCSI LUN, to a host NQN an NVMe namespace (NSID = LUN + 1).
 */
@Command(name = "serve", description = "Run the controller on the pool under --data (created on first start).")
public final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @Mixin
    PoolOptions pool;

    @Option(names = "--bind", description = "address the frontends listen on (default ${DEFAULT-VALUE})",
            defaultValue = "0.0.0.0")
    String bind;

    @Option(names = "--iscsi-port", description = "iSCSI portal port; 0 picks a free one, -1 disables (default ${DEFAULT-VALUE})",
            defaultValue = "3260")
    int iscsiPort;

    @Option(names = "--nvme-port", description = "NVMe/TCP port; 0 picks a free one, -1 disables (default ${DEFAULT-VALUE})",
            defaultValue = "4420")
    int nvmePort;

    @Option(names = "--subsystem-nqn", description = "the controller's NVMe subsystem NQN (default ${DEFAULT-VALUE})",
            defaultValue = NvmeSubsystem.DEFAULT_NQN)
    String subsystemNqn;

    @Option(names = "--io-threads", paramLabel = "N", defaultValue = "32",
            description = "threads that run volume I/O for the frontends; a read waits on its device, so "
                    + "this bounds the reads in flight (default ${DEFAULT-VALUE})")
    int ioThreads;

    @Option(names = "--target-iqn", description = "the controller's iSCSI target name (default ${DEFAULT-VALUE})",
            defaultValue = "iqn.2026-11.io.tamp:controller")
    String targetIqn;

    @Option(names = "--volume", paramLabel = "NAME:SIZE",
            description = "create the volume if absent (SIZE in bytes, or with a K, M, G or T suffix); repeatable")
    List<String> volumes = new ArrayList<>();

    @Option(names = "--map", paramLabel = "VOLUME:INITIATOR[:LUN]",
            description = "show the volume to that initiator (IQN) at LUN (default: next free); repeatable")
    List<String> maps = new ArrayList<>();

    @Option(names = "--chap", paramLabel = "USER:SECRET",
            description = "require CHAP (MD5) at iSCSI login; the initiator's CHAP_N and secret (12-16 bytes "
                    + "recommended); repeatable. Put secrets in an @argument file, not on a visible command line")
    List<String> chap = new ArrayList<>();

    @Option(names = "--mutual-chap", paramLabel = "NAME:SECRET",
            description = "mutual CHAP: the name and secret the target answers with when an initiator asks")
    String mutualChap;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "8443",
            description = "management API port (HTTPS unless --http-insecure); 0 picks a free one, -1 disables "
                    + "(default ${DEFAULT-VALUE})")
    int httpPort;

    @Option(names = "--http-bind", paramLabel = "ADDRESS",
            description = "address the management API listens on (default: --bind)")
    String httpBind;

    @Option(names = "--http-insecure",
            description = "serve the API over plain HTTP; only allowed on a loopback address")
    boolean httpInsecure;

    @Option(names = "--token-ttl-seconds", paramLabel = "S", defaultValue = "3600",
            description = "lifetime of an API bearer token (default ${DEFAULT-VALUE})")
    long tokenTtlSeconds;

    @Option(names = "--nop-in-ms", paramLabel = "MS", defaultValue = "0",
            description = "ping an idle iSCSI connection with NOP-In after MS; an unanswered ping drops it (0: off)")
    long nopInMs;

    @Override
    public Integer call() throws Exception {
        if (ioThreads < 1) {
            throw new IllegalArgumentException("--io-threads must be at least 1");
        }
        InetSocketAddress apiAddress = httpPort < 0 ? null : apiAddress(); // refuse a bad API set-up before anything starts
        Engine engine = Engine.open(pool.config(true));
        ExecutorService workers = Executors.newFixedThreadPool(ioThreads, r -> {
            Thread t = new Thread(r, "tamp-io-worker");
            t.setDaemon(true);
            return t;
        });
        IscsiServer iscsi = null;
        NvmeSubsystem subsystem = null;
        NvmeTcpServer nvme = null;
        ApiServer api = null;
        IoMetrics ioMetrics = new IoMetrics();
        try {
            for (String spec : volumes) {
                createVolume(engine, spec);
            }
            LunMap lunMap = new LunMap();
            ObjectMapper json = io.tamp.mgmt.api.Json.mapper();
            Catalog catalog = new Catalog(engine, lunMap, json); // the API's mappings first, then --map's
            for (String spec : maps) {
                map(engine, lunMap, spec);
            }
            if (iscsiPort >= 0) {
                IscsiTargetConfig config = iscsiConfig(catalog);
                iscsi = IscsiServer.start(new InetSocketAddress(bind, iscsiPort), config,
                        new ScsiDisk(lunMap, workers, ioMetrics), Runtime.getRuntime().availableProcessors()); // one loop per core
                LOG.info("iSCSI portal {}:{} target {}", bind, iscsi.port(), targetIqn);
            }
            if (nvmePort >= 0) {
                subsystem = new NvmeSubsystem(subsystemNqn, lunMap, workers, PooledByteBufAllocator.DEFAULT,
                        engine::flush, engine.pool().poolUuid().getMostSignificantBits(), ioMetrics);
                nvme = NvmeTcpServer.start(new InetSocketAddress(bind, nvmePort), subsystem,
                        Runtime.getRuntime().availableProcessors());
                LOG.info("NVMe/TCP port {}:{} subsystem {}", bind, nvme.port(), subsystemNqn);
            }
            if (httpPort >= 0) {
                api = startApi(apiAddress, engine, catalog, json, ioMetrics, iscsi, nvme);
            }
        } catch (Exception | Error e) {
            if (api != null) {
                api.close();
            }
            if (iscsi != null) {
                iscsi.close();
            }
            if (nvme != null) {
                nvme.close();
            }
            if (subsystem != null) {
                subsystem.close();
            }
            workers.shutdownNow();
            engine.close();
            throw e;
        }
        IscsiServer frontend = iscsi;
        ApiServer apiServer = api;
        NvmeTcpServer nvmeFrontend = nvme;
        NvmeSubsystem nvmeSubsystem = subsystem;
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            LOG.info("shutting down");
            try {
                if (apiServer != null) {
                    apiServer.close();
                }
                if (frontend != null) {
                    frontend.close();
                }
                if (nvmeFrontend != null) {
                    nvmeFrontend.close();
                    nvmeSubsystem.close();
                }
                workers.shutdown();
                engine.close();
            } catch (Exception e) {
                LOG.error("clean shutdown failed", e);
            }
            stopped.countDown();
        }, "tamp-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        var s = engine.space();
        LOG.info("tamp serving pool {} ({} volumes, {} GiB capacity, {} GiB free); frontends bind {} ({} transport)",
                pool.dir.toAbsolutePath(), engine.volumes().size(), s.poolCapacity() >> 30, s.poolFree() >> 30, bind,
                io.tamp.datapath.frontend.TcpListener.nativeTransport() ? "epoll" : "NIO");
        stopped.await();
        return 0;
    }

    private InetSocketAddress apiAddress() {
        String address = httpBind != null ? httpBind : bind;
        InetSocketAddress where = new InetSocketAddress(address, httpPort);
        if (httpInsecure && (where.getAddress() == null || !where.getAddress().isLoopbackAddress())) {
            throw new IllegalArgumentException("--http-insecure serves passwords and tokens in clear text: only on a "
                    + "loopback --http-bind (127.0.0.1 or ::1), not " + address);
        }
        if (tokenTtlSeconds <= 0) {
            throw new IllegalArgumentException("--token-ttl-seconds must be positive");
        }
        return where;
    }

    private ApiServer startApi(InetSocketAddress where, Engine engine, Catalog catalog, ObjectMapper json,
                               IoMetrics ioMetrics, IscsiServer iscsi, NvmeTcpServer nvme) throws Exception {
        String address = where.getHostString();
        Users users = new Users(engine, json);
        users.ensureAdmin(pool.dir, System.getenv("TAMP_ADMIN_PASSWORD"));
        LongSupplier clock = System::currentTimeMillis;
        Controller c = new Controller(engine, catalog, users, new Tokens(tokenTtlSeconds * 1000, clock),
                new Jobs(clock), new AuditLog(pool.dir.resolve("audit.log"), json, clock), ioMetrics, json, clock,
                clock.getAsLong(), new Controller.Frontends(targetIqn, iscsi == null ? -1 : iscsi.port(),
                        subsystemNqn, nvme == null ? -1 : nvme.port()));
        SslContext tls = httpInsecure ? null : Tls.serverContext(pool.dir.resolve("tls"));
        ApiServer api = ApiServer.start(where, tls, ManagementApi.router(c), c.tokens(), c.audit(), json);
        LOG.info("management API {}://{}:{}/api/v1", tls == null ? "http" : "https", address, api.port());
        return api;
    }

    private IscsiTargetConfig iscsiConfig(Catalog catalog) {
        java.util.Map<String, String> secrets = new java.util.LinkedHashMap<>();
        for (String spec : chap) {
            String[] p = splitPair(spec, "--chap");
            secrets.put(p[0], p[1]);
        }
        IscsiTargetConfig.Builder b = IscsiTargetConfig.builder().targetName(targetIqn).chap(secrets)
                .nopInIntervalMs(nopInMs).initiatorChap(catalog::chapFor); // per-host CHAP from the API
        if (mutualChap != null) {
            String[] p = splitPair(mutualChap, "--mutual-chap");
            b.mutualChap(p[0], p[1]);
        }
        return b.build();
    }

    /** NAME:SECRET split at the first colon (a secret may contain colons). */
    private static String[] splitPair(String spec, String option) {
        int colon = spec.indexOf(':');
        if (colon <= 0 || colon == spec.length() - 1) {
            throw new IllegalArgumentException(option + " wants NAME:SECRET");
        }
        return new String[] {spec.substring(0, colon), spec.substring(colon + 1)};
    }

    private static void createVolume(Engine engine, String spec) {
        int colon = spec.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--volume wants NAME:SIZE, got '" + spec + "'");
        }
        String name = spec.substring(0, colon);
        long size = io.tamp.mgmt.cli.admin.Sizes.parse(spec.substring(colon + 1));
        Volume v = engine.volume(name);
        if (v == null) {
            engine.createVolume(name, size);
        } else if (v.sizeBytes() < size) {
            engine.resizeVolume(v, size);
        }
    }

    private static void map(Engine engine, LunMap lunMap, String spec) {
        String[] parts = spec.split(":");
        // an IQN has colons of its own: VOLUME:iqn...:suffix[:LUN], the LUN being a trailing number
        if (parts.length < 2) {
            throw new IllegalArgumentException("--map wants VOLUME:INITIATOR[:LUN], got '" + spec + "'");
        }
        String volumeName = parts[0];
        String rest = spec.substring(volumeName.length() + 1);
        long lun = -1;
        int last = rest.lastIndexOf(':');
        if (last > 0 && rest.substring(last + 1).matches("\\d+")) {
            lun = Long.parseLong(rest.substring(last + 1));
            rest = rest.substring(0, last);
        }
        if (IscsiNames.isIscsiName(rest)) {
            rest = IscsiNames.normalize(rest); // as the login will present it; an NQN stays as given
        }
        Volume v = engine.volume(volumeName);
        if (v == null) {
            throw new IllegalArgumentException("--map names volume '" + volumeName + "', which does not exist");
        }
        if (lun < 0) {
            lun = lunMap.luns(rest).size();
        }
        lunMap.map(rest, lun, v);
        LOG.info("volume {} mapped to {} as LUN {}", volumeName, rest, lun);
    }
}
