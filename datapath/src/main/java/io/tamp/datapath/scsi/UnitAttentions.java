package io.tamp.datapath.scsi;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pending unit attention conditions per I_T_L nexus (initiator port × volume). The first command
 * a nexus sends after it appears (login) meets POWER ON, RESET, OR BUS DEVICE RESET OCCURRED; later
 * events (capacity change, LUN inventory change, reset) queue one condition per nexus, reported one
 * per command, oldest first, and never the same condition twice in a row.
 */
final class UnitAttentions {
    /** initiator port → (volume id → queue); a present key means the nexus has seen its power-on. */
    private final Map<String, Nexus> nexuses = new ConcurrentHashMap<>();

    private static final class Nexus {
        final String initiatorName;
        final Map<Long, Deque<Sense>> byVolume = new ConcurrentHashMap<>();

        Nexus(String initiatorName) {
            this.initiatorName = initiatorName;
        }
    }

    /** Takes the oldest pending condition of the nexus, or null; the first call for a nexus yields POWER ON. */
    Sense take(String initiatorPort, String initiatorName, long volumeId) {
        Nexus n = nexuses.computeIfAbsent(initiatorPort, k -> new Nexus(initiatorName));
        Deque<Sense> q = n.byVolume.computeIfAbsent(volumeId, k -> {
            Deque<Sense> d = new ArrayDeque<>();
            d.add(Sense.POWER_ON_RESET);
            return d;
        });
        synchronized (q) {
            return q.poll();
        }
    }

    /** A new session (login) from this port: it meets POWER ON again and loses what was queued. */
    void sessionStarted(String initiatorPort) {
        nexuses.remove(initiatorPort);
    }

    /** Queues a condition for every nexus that has used the volume. */
    void raiseForVolume(long volumeId, Sense sense) {
        for (Nexus n : nexuses.values()) {
            Deque<Sense> q = n.byVolume.get(volumeId);
            if (q != null) {
                add(q, sense);
            }
        }
    }

    /** Queues a condition for every nexus of the volume except the one that caused it. */
    void raiseForOthers(long volumeId, String exceptPort, Sense sense) {
        for (Map.Entry<String, Nexus> e : nexuses.entrySet()) {
            Deque<Sense> q = e.getValue().byVolume.get(volumeId);
            if (q != null && !e.getKey().equals(exceptPort)) {
                add(q, sense);
            }
        }
    }

    /** Queues a condition for one nexus, if it has used the volume. */
    void raise(String initiatorPort, long volumeId, Sense sense) {
        Nexus n = nexuses.get(initiatorPort);
        Deque<Sense> q = n == null ? null : n.byVolume.get(volumeId);
        if (q != null) {
            add(q, sense);
        }
    }

    /** The initiator node name a port logged in with, or null if it sent nothing yet. */
    String initiatorName(String initiatorPort) {
        Nexus n = nexuses.get(initiatorPort);
        return n == null ? null : n.initiatorName;
    }

    /** Queues a condition on every LU every port of this initiator has used. */
    void raiseForInitiator(String initiatorName, Sense sense) {
        for (Nexus n : nexuses.values()) {
            if (n.initiatorName.equals(initiatorName)) {
                n.byVolume.values().forEach(q -> add(q, sense));
            }
        }
    }

    private static void add(Deque<Sense> q, Sense sense) {
        synchronized (q) {
            if (!sense.equals(q.peekLast())) {
                q.add(sense);
            }
        }
    }
}
