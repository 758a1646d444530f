package io.tamp.datapath.frontend;

import io.tamp.datapath.volume.Volume;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * LUN masking for every frontend: which volumes a host (by node name: an iSCSI IQN or an NVMe
 * host NQN) sees, at which numbers (iSCSI LUN n; NVMe namespace id n + 1). Names match exactly:
 * iSCSI names arrive already in lower case ({@code iscsi.IscsiNames}), NQNs as the host sent them.
 * Thread-safe; readers get immutable snapshots, changes (from the management API) replace them.
 * An initiator with no mapping sees no LUNs.
 */
public final class LunMap {
    /** SAM flat space addressing reaches LUN 16383; REPORT LUNS encodes nothing higher. */
    public static final int MAX_LUN = 16383;

    private final Map<String, NavigableMap<Long, Volume>> byInitiator = new ConcurrentHashMap<>();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

    /** Maps volume at lun for initiatorName; replaces what was at that LUN. */
    public void map(String initiatorName, long lun, Volume volume) {
        if (lun < 0 || lun > MAX_LUN) {
            throw new IllegalArgumentException("LUN must be 0.." + MAX_LUN + ", got " + lun);
        }
        byInitiator.compute(initiatorName, (k, old) -> {
            TreeMap<Long, Volume> m = old == null ? new TreeMap<>() : new TreeMap<>(old);
            m.put(lun, volume);
            return Collections.unmodifiableNavigableMap(m);
        });
        changed(initiatorName);
    }

    /** Removes the mapping at lun; returns whether there was one. */
    public boolean unmap(String initiatorName, long lun) {
        boolean[] removed = new boolean[1];
        byInitiator.computeIfPresent(initiatorName, (k, old) -> {
            removed[0] = old.containsKey(lun);
            TreeMap<Long, Volume> m = new TreeMap<>(old);
            m.remove(lun);
            return m.isEmpty() ? null : Collections.unmodifiableNavigableMap(m);
        });
        if (removed[0]) {
            changed(initiatorName);
        }
        return removed[0];
    }

    /** Removes every mapping of a volume (it is being deleted), for every initiator. */
    public void unmapVolume(Volume volume) {
        for (String initiator : byInitiator.keySet()) {
            for (Map.Entry<Long, Volume> e : luns(initiator).entrySet()) {
                if (e.getValue() == volume) {
                    unmap(initiator, e.getKey());
                }
            }
        }
    }

    /** The volume at lun for initiatorName, or null. */
    public Volume volume(String initiatorName, long lun) {
        NavigableMap<Long, Volume> m = byInitiator.get(initiatorName);
        return m == null ? null : m.get(lun);
    }

    /** An immutable snapshot, sorted by LUN. */
    public NavigableMap<Long, Volume> luns(String initiatorName) {
        NavigableMap<Long, Volume> m = byInitiator.get(initiatorName);
        return m == null ? Collections.emptyNavigableMap() : m;
    }

    /** Called with the initiator name after each change to its LUNs (REPORTED LUNS DATA HAS CHANGED). */
    public void addListener(Consumer<String> listener) {
        listeners.add(listener);
    }

    private void changed(String initiatorName) {
        for (Consumer<String> l : listeners) {
            l.accept(initiatorName);
        }
    }
}
