package io.tamp.datapath.iscsi;

import io.tamp.datapath.frontend.WriteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live normal sessions of one portal group, by initiator port (InitiatorName + ISID), and
 * the TSIHs handed to them. A login from a port that already has a session reinstates it
 * (RFC 7143 §6.3.5): the old connection is closed and its tasks end unanswered, while the I_T
 * nexus carries on in the new session.
 */
final class Sessions {
    private final Map<String, IscsiConnectionHandler> live = new ConcurrentHashMap<>();
    private final AtomicInteger tsihs = new AtomicInteger();
    /** Write data buffered for commands that have not reached the SCSI target yet, all sessions. */
    final WriteBuffer writes;

    Sessions(long maxBufferedWriteBytes) {
        this.writes = new WriteBuffer(maxBufferedWriteBytes);
    }

    /** TSIH 0 is reserved for "new session" (RFC 7143 §11.12.6); wraps within 1..65535. */
    int nextTsih() {
        return tsihs.updateAndGet(t -> t >= 0xffff ? 1 : t + 1);
    }

    /** Makes {@code handler} the session of {@code initiatorPort}; returns the session it replaces, or null. */
    IscsiConnectionHandler register(String initiatorPort, IscsiConnectionHandler handler) {
        return live.put(initiatorPort, handler);
    }

    /** True when {@code handler} was still the port's session (so the I_T nexus ends with it). */
    boolean unregister(String initiatorPort, IscsiConnectionHandler handler) {
        return live.remove(initiatorPort, handler);
    }
}
