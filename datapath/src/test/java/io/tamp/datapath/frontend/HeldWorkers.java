package io.tamp.datapath.frontend;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Occupies every thread of a fixed worker pool until {@link #release}d (or closed), so a test can
 * tell which commands need a worker: those complete only after the release.
 */
public final class HeldWorkers implements AutoCloseable {
    private final CountDownLatch gate = new CountDownLatch(1);

    private HeldWorkers(ExecutorService workers, int threads) throws InterruptedException {
        CountDownLatch busy = new CountDownLatch(threads);
        for (int i = 0; i < threads; i++) {
            workers.execute(() -> {
                busy.countDown();
                try {
                    gate.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        if (!busy.await(10, TimeUnit.SECONDS)) {
            gate.countDown();
            throw new IllegalStateException("the pool has fewer than " + threads + " free workers");
        }
    }

    /** Holds all {@code threads} workers of the pool; returns once every one of them is held. */
    public static HeldWorkers hold(ExecutorService workers, int threads) throws InterruptedException {
        return new HeldWorkers(workers, threads);
    }

    public void release() {
        gate.countDown();
    }

    @Override
    public void close() {
        release();
    }
}
