package io.tamp.datapath.frontend;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How much write data a frontend may hold for commands that have not reached the engine yet,
 * over all its connections: each write reserves its length before a buffer is allocated and
 * releases it when the command is done, so no host can exhaust memory with many large writes.
 * A write larger than the limit may still start when nothing else is held.
 */
public final class WriteBuffer {
    private final AtomicLong held = new AtomicLong();
    private volatile long limit;

    public WriteBuffer(long limitBytes) {
        this.limit = limitBytes;
    }

    public void limit(long bytes) {
        this.limit = bytes;
    }

    /** Reserves {@code bytes}; false, with nothing reserved, when that would pass the limit. */
    public boolean tryReserve(long bytes) {
        while (true) {
            long now = held.get();
            if (now > 0 && now + bytes > limit) {
                return false;
            }
            if (held.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    public void release(long bytes) {
        held.addAndGet(-bytes);
    }
}
