package io.tamp.mgmt.cli;

import io.tamp.datapath.volume.Engine;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The controller: opens (or creates) the pool and runs until SIGTERM / SIGINT, then shuts down cleanly. */
@Command(name = "serve", description = "Run the controller on the pool under --data (created on first start).")
public final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @Mixin
    PoolOptions pool;

    @Option(names = "--bind", description = "address the frontends listen on (default ${DEFAULT-VALUE})",
            defaultValue = "0.0.0.0")
    String bind;

    @Override
    public Integer call() throws Exception {
        Engine engine = Engine.open(pool.config(true));
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            LOG.info("shutting down");
            try {
                engine.close();
            } catch (Exception e) {
                LOG.error("clean shutdown failed", e);
            }
            stopped.countDown();
        }, "tamp-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        var s = engine.space();
        LOG.info("tamp serving pool {} ({} volumes, {} GiB capacity, {} GiB free); frontends bind {}",
                pool.dir.toAbsolutePath(), engine.volumes().size(), s.poolCapacity() >> 30, s.poolFree() >> 30, bind);
        stopped.await();
        return 0;
    }
}
