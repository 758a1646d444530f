package io.tamp.datapath.frontend;

import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * When a read may run on its connection's event loop instead of a worker: it is at most
 * {@link #MAX_BLOCKS} 512-byte blocks (128 KiB) and {@link #alone}. A connection at queue depth 1
 * has nothing to overlap a read with, so the hand-off to a worker and back (two thread wake-ups,
 * most of a cached read's latency) buys nothing; deeper queues keep going to the workers, where
 * reads that miss the page cache wait on the device in parallel instead of stalling the loop.
 * Writes, flushes and FUA always go to the workers.
 */
public final class InlineReads {
    /** The largest read, in 512-byte blocks, that may run on the event loop. */
    public static final int MAX_BLOCKS = 256;

    private InlineReads() {
    }

    /**
     * Whether the command being handled is alone: the only one of its connection in flight
     * ({@code inFlight} counts it) and no further PDU already buffered behind it. The second
     * condition matters: commands of a deep queue that arrive in one segment are decoded one at a
     * time, each the only one in flight at that instant, and would otherwise run one by one on
     * the loop.
     */
    public static boolean alone(int inFlight, Decoder decoder) {
        return inFlight == 1 && !decoder.hasBufferedBytes();
    }

    /** A transport's PDU decoder, which can tell whether more input is buffered. */
    public abstract static class Decoder extends ByteToMessageDecoder {
        /**
         * Whether bytes of a further PDU are already buffered: true while a handler runs a PDU that
         * arrived with others behind it (Netty hands decoded PDUs on before decoding the next).
         */
        public boolean hasBufferedBytes() {
            return actualReadableBytes() > 0;
        }
    }
}
