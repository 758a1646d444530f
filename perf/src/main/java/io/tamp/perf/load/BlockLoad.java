package io.tamp.perf.load;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * A pipelined block load over Tamp's frontends (and any iSCSI target, e.g. tgt): each queue is
 * one TCP connection with a writer thread keeping {@code --qd} commands in flight and a reader
 * thread completing them; our own minimal NVMe/TCP host and iSCSI initiator, no kernel
 * initiator. Prints one human line and one {@code RESULT {...}} line per run: IOPS, MiB/s,
 * latency p50/p99/p99.9/max in microseconds (HdrHistogram, from just before the command's socket
 * write to the parse of its completion), and this process's CPU.
 *
 * <pre>
 * java -cp perf/target/benchmarks.jar io.tamp.perf.load.BlockLoad --proto nvme|iscsi --port P
 *     [--host 127.0.0.1] [--target NQN|IQN] [--initiator HOSTNQN|IQN] [--lun 0] [--nsid 1]
 *     [--queues 2] [--qd 32] [--seconds 20] [--warmup 5] [--rw randread|randwrite|read|write]
 *     [--bs 4096] [--range-mib 1024] [--seed 1] [--data random|dedup50] [--once]
 *     [--disable-sqflow] [--hang-seconds 10] [--label NAME]
 * </pre>
 *
 * {@code --once}: one sequential pass over the range (with --rw read|write), no warm-up, every
 * completion counted (a precondition). {@code --disable-sqflow}: NVMe/TCP Connect with CATTR bit
 * 2, so successful reads complete with the C2HData SUCCESS flag and no response capsule.
 * Exit status 0 on success, 1 when commands failed, 2 on bad arguments, 3 when the target hung
 * or dropped the connection.
 */
public final class BlockLoad {
    private static final Set<String> FLAGS = Set.of("once", "disable-sqflow");

    private BlockLoad() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String k = args[i];
            if (!k.startsWith("--")) {
                usage("unexpected argument " + k);
            }
            k = k.substring(2);
            if (FLAGS.contains(k)) {
                a.put(k, "true");
            } else if (i + 1 < args.length) {
                a.put(k, args[++i]);
            } else {
                usage("--" + k + " needs a value");
            }
        }
        String proto = a.getOrDefault("proto", "");
        if (!proto.equals("nvme") && !proto.equals("iscsi")) {
            usage("--proto nvme|iscsi");
        }
        if (!a.containsKey("port")) {
            usage("--port is required");
        }
        String host = a.getOrDefault("host", "127.0.0.1");
        int port = Integer.parseInt(a.get("port"));
        int queues = Integer.parseInt(a.getOrDefault("queues", "2"));
        int qd = Integer.parseInt(a.getOrDefault("qd", "32"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "20"));
        boolean once = a.containsKey("once");
        int warmup = once ? 0 : Integer.parseInt(a.getOrDefault("warmup", "5"));
        String rw = a.getOrDefault("rw", "randread");
        int bs = Integer.parseInt(a.getOrDefault("bs", "4096"));
        long rangeBytes = Long.parseLong(a.getOrDefault("range-mib", "1024")) << 20;
        long seed = Long.parseLong(a.getOrDefault("seed", "1"));
        String dataMode = a.getOrDefault("data", "random");
        int hangSeconds = Integer.parseInt(a.getOrDefault("hang-seconds", "10"));
        String label = a.getOrDefault("label", proto);
        String target = a.getOrDefault("target",
                proto.equals("nvme") ? "nqn.2026-11.io.tamp:controller" : "iqn.2026-11.io.tamp:controller");
        String initiator = a.get("initiator");
        if (initiator == null) {
            usage("--initiator (the host NQN or IQN the volume is mapped to) is required");
        }
        if (queues < 1 || qd < 1 || qd > 1024) {
            usage("--queues >= 1, --qd 1..1024");
        }
        Workload w;
        try {
            w = new Workload(rw, bs, rangeBytes, once, dataMode, seed);
        } catch (IllegalArgumentException e) {
            usage(e.getMessage());
            return;
        }

        List<LoadQueue> qs = new ArrayList<>();
        NvmeTcpLoadQueue admin = null;
        LoadQueue.Run run = new LoadQueue.Run();
        int exit = 0;
        try {
            long deviceBytes;
            if (proto.equals("nvme")) {
                int nsid = Integer.parseInt(a.getOrDefault("nsid", "1"));
                admin = new NvmeTcpLoadQueue(-1, host, port, 0);
                long[] info = admin.bringUp(target, initiator, nsid);
                int inCapsule = (int) Math.min(info[0], Integer.MAX_VALUE);
                deviceBytes = info[2];
                if (bs > info[3]) {
                    usage("--bs " + bs + " exceeds the controller's MDTS (" + info[3] + " bytes)");
                }
                for (int q = 0; q < queues; q++) {
                    NvmeTcpLoadQueue n = new NvmeTcpLoadQueue(q, host, port, qd);
                    qs.add(n);
                    n.initialize();
                    n.connect(q + 1, Math.max(qd + 1, 128), admin.controllerId, target, initiator,
                            a.containsKey("disable-sqflow"));
                    n.nsid = nsid;
                    n.lbaBytes = (int) info[1];
                    n.inCapsuleMax = inCapsule;
                }
                System.err.printf("nvme: controller %d, namespace %d: %d bytes in %d-byte LBAs; in-capsule %d, "
                        + "MAXH2CDATA %d%n", admin.controllerId, nsid, deviceBytes, info[1], inCapsule,
                        ((NvmeTcpLoadQueue) qs.get(0)).maxH2CData);
            } else {
                int lun = Integer.parseInt(a.getOrDefault("lun", "0"));
                deviceBytes = Long.MAX_VALUE;
                long isid = (System.nanoTime() ^ ProcessHandle.current().pid() << 20) & 0xFFFFFF0000L;
                for (int q = 0; q < queues; q++) {
                    IscsiLoadQueue s = new IscsiLoadQueue(q, host, port, qd, lun);
                    qs.add(s);
                    s.login(initiator, target, isid + q);
                    long size = s.bringUp();
                    deviceBytes = Math.min(deviceBytes, size);
                    if (q == 0) {
                        System.err.printf("iscsi: LUN %d: %d bytes in %d-byte blocks; negotiated %s; immediate data "
                                + "up to %d%n", lun, size, s.blockBytes, s.negotiated, s.immediateMax);
                    }
                }
            }
            if (w.rangeBytes > deviceBytes) {
                usage("--range-mib beyond the device (" + (deviceBytes >> 20) + " MiB)");
            }
            for (LoadQueue q : qs) {
                q.prepare(w, run, seed);
            }
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long t0 = System.nanoTime();
            run.measureStart = once ? t0 : t0 + warmup * 1_000_000_000L;
            run.measureEnd = once ? Long.MAX_VALUE : run.measureStart + seconds * 1_000_000_000L;
            long cpu0 = -1;
            for (LoadQueue q : qs) {
                q.startThreads();
            }
            String failure = null;
            long measured0 = 0;
            while (true) {
                Thread.sleep(20);
                long now = System.nanoTime();
                if (cpu0 < 0 && now >= run.measureStart) {
                    cpu0 = os.getProcessCpuTime();
                    measured0 = now;
                }
                failure = failureOf(qs, now, hangSeconds);
                if (failure != null) {
                    break;
                }
                if (once) {
                    boolean done = true;
                    for (LoadQueue q : qs) {
                        done &= q.writerDone() && q.inFlight() == 0;
                    }
                    if (done) {
                        break;
                    }
                } else if (now >= run.measureEnd) {
                    break;
                }
            }
            long measuredEnd = System.nanoTime();
            long cpu1 = os.getProcessCpuTime();
            run.stop = true;
            if (failure == null) {
                // drain what is in flight (not counted) so every session ends cleanly
                long deadline = System.nanoTime() + hangSeconds * 1_000_000_000L;
                while (failure == null) {
                    int inFlight = 0;
                    for (LoadQueue q : qs) {
                        inFlight += q.inFlight();
                    }
                    if (inFlight == 0) {
                        break;
                    }
                    long now = System.nanoTime();
                    failure = failureOf(qs, now, hangSeconds);
                    if (failure == null && now > deadline) {
                        failure = "commands still in flight " + hangSeconds + " s after the run ended";
                    }
                    Thread.sleep(5);
                }
            }
            if (failure != null) {
                System.err.println("FAILED: " + failure);
                exit = 3;
            }
            double secs = once ? (measuredEnd - t0) / 1e9 : seconds;
            double cpuSecs = (measuredEnd - measured0) / 1e9;
            report(label, proto, rw, bs, queues, qd, secs, w, qs,
                    cpu0 < 0 || cpuSecs <= 0 ? Double.NaN : 100.0 * (cpu1 - cpu0) / 1e9 / cpuSecs);
            for (LoadQueue q : qs) {
                if (!q.errorSamples.isEmpty()) {
                    exit = Math.max(exit, 1);
                    q.errorSamples.forEach(e -> System.err.println("error: " + e));
                }
            }
        } finally {
            for (LoadQueue q : qs) {
                try {
                    q.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
            if (admin != null) {
                admin.closing = true;
                admin.socket.close();
            }
        }
        System.exit(exit);
    }

    private static String failureOf(List<LoadQueue> qs, long now, int hangSeconds) {
        for (LoadQueue q : qs) {
            Throwable t = q.readerFailure;
            if (t != null) {
                StringBuilder sb = new StringBuilder(t.toString());
                for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
                    sb.append("; caused by ").append(c);
                }
                List<String> stuck = q.stuck(now, 0);
                if (!stuck.isEmpty()) {
                    sb.append("; in flight: ").append(stuck.subList(0, Math.min(4, stuck.size())));
                }
                return sb.toString();
            }
            List<String> stuck = q.stuck(now, hangSeconds * 1_000_000_000L);
            if (!stuck.isEmpty()) {
                return stuck.size() + " command(s) without completion for over " + hangSeconds + " s, e.g. "
                        + stuck.subList(0, Math.min(4, stuck.size())) + "; last PDU parsed on that queue: " + q.lastPdu;
            }
        }
        return null;
    }

    private static void report(String label, String proto, String rw, int bs, int queues, int qd, double secs,
            Workload w, List<LoadQueue> qs, double cpuPercent) {
        Histogram all = new Histogram(LoadQueue.HIGHEST_NS, 3);
        long ops = 0;
        long errors = 0;
        for (LoadQueue q : qs) {
            all.add(q.histogram);
            ops += q.completed;
            errors += q.errors;
        }
        double iops = ops / secs;
        double mibs = iops * bs / (1 << 20);
        double p50 = all.getValueAtPercentile(50) / 1e3;
        double p99 = all.getValueAtPercentile(99) / 1e3;
        double p999 = all.getValueAtPercentile(99.9) / 1e3;
        double max = all.getMaxValue() / 1e3;
        double mean = all.getMean() / 1e3;
        System.out.printf(Locale.ROOT, "%s %s bs=%d queues=%d qd=%d %.1fs: %.0f IOPS %.1f MiB/s lat_us p50 %.1f p99 %.1f "
                + "p99.9 %.1f max %.1f mean %.1f errors %d client_cpu %.0f%%%n", label, rw, bs, queues, qd, secs, iops,
                mibs, p50, p99, p999, max, mean, errors, cpuPercent);
        System.out.printf(Locale.ROOT, "RESULT {\"label\":\"%s\",\"proto\":\"%s\",\"rw\":\"%s\",\"bs\":%d,\"queues\":%d,"
                + "\"qd\":%d,\"seconds\":%.3f,\"data\":\"%s\",\"range_bytes\":%d,\"ops\":%d,\"errors\":%d,\"iops\":%.1f,"
                + "\"mib_s\":%.2f,\"p50_us\":%.1f,\"p99_us\":%.1f,\"p99_9_us\":%.1f,\"max_us\":%.1f,\"mean_us\":%.1f,"
                + "\"client_cpu_pct\":%s}%n", label, proto, rw, bs, queues, qd, secs, w.data, w.rangeBytes, ops, errors,
                iops, mibs, p50, p99, p999, max, mean, Double.isNaN(cpuPercent) ? "null" : String.format(Locale.ROOT, "%.1f", cpuPercent));
    }

    private static void usage(String why) {
        System.err.println("BlockLoad: " + why);
        System.err.println("usage: BlockLoad --proto nvme|iscsi --port P --initiator NAME [--target NAME] [--host H]"
                + " [--lun N] [--nsid N] [--queues 2] [--qd 32] [--seconds 20] [--warmup 5]"
                + " [--rw randread|randwrite|read|write] [--bs 4096] [--range-mib 1024] [--seed 1]"
                + " [--data random|dedup50] [--once] [--disable-sqflow] [--hang-seconds 10] [--label NAME]");
        System.exit(2);
    }
}
