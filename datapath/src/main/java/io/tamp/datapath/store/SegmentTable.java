package io.tamp.datapath.store;

import io.tamp.metadata.store.Batch;
import io.tamp.metadata.store.Keys;
import io.tamp.metadata.store.MetadataStore;
import io.tamp.metadata.store.MetadataStore.Map;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.rocksdb.RocksIterator;

/**
 * The state of every segment: free, open (being appended to) or sealed, with its written and live
 * byte counts. Persisted in the SEGMENTS map (state + written) and the SEGMENT_LIVE counters;
 * mirrored in memory. Mutated only under the engine's commit lock.
 *
 * <pre>
 *  SEGMENTS value: 0      1          5             13            21
 *                  +------+----------+-------------+-------------+
 *                  |state | written  | first born  | last born   |
 *                  +------+----------+-------------+-------------+
 * </pre>
 * Extents get ids in append order and only the open segment takes new extents, so the extents
 * born in a segment are one id range: the cleaner finds them without a per-extent index entry.
 * Extents the cleaner moves in keep their ids and are listed in SEGMENT_EXTENTS instead.
 */
public final class SegmentTable {
    public enum State { FREE, OPEN, SEALED }

    private final int segmentBytes;
    private final State[] state;
    private final int[] written;
    private final long[] live;
    private final long[] firstBorn;
    private final long[] lastBorn;
    private final BitSet used;
    private int freeCount;
    private final long[] pendingLive;
    private final boolean[] pendingMarked;
    private final int[] pendingSegments;
    private int pendingCount;

    private SegmentTable(int segmentCount, int segmentBytes) {
        this.segmentBytes = segmentBytes;
        state = new State[segmentCount];
        java.util.Arrays.fill(state, State.FREE);
        written = new int[segmentCount];
        live = new long[segmentCount];
        firstBorn = new long[segmentCount];
        lastBorn = new long[segmentCount];
        used = new BitSet(segmentCount);
        freeCount = segmentCount;
        pendingLive = new long[segmentCount];
        pendingMarked = new boolean[segmentCount];
        pendingSegments = new int[segmentCount];
    }

    public static SegmentTable load(MetadataStore store, int segmentCount, int segmentBytes) {
        SegmentTable t = new SegmentTable(segmentCount, segmentBytes);
        try (RocksIterator it = store.iterator(Map.SEGMENTS)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                int seg = Keys.getInt(it.key(), 0);
                byte[] v = it.value();
                if (seg < 0 || seg >= segmentCount || v.length != RECORD_BYTES || v[0] < 0 || v[0] > 2) {
                    throw new io.tamp.metadata.store.CorruptMetadataException("segment record " + seg + " invalid");
                }
                t.state[seg] = State.values()[v[0]];
                t.written[seg] = Keys.getInt(v, 1);
                t.firstBorn[seg] = Keys.getLong(v, 5);
                t.lastBorn[seg] = Keys.getLong(v, 13);
                t.used.set(seg);
                t.freeCount--;
            }
        }
        try (RocksIterator it = store.iterator(Map.SEGMENT_LIVE)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                int seg = Keys.getInt(it.key(), 0);
                if (seg >= 0 && seg < segmentCount) {
                    t.live[seg] = Keys.getLe64(it.value());
                }
            }
        }
        return t;
    }

    public int segmentCount() {
        return state.length;
    }

    public int segmentBytes() {
        return segmentBytes;
    }

    public int freeCount() {
        return freeCount;
    }

    public State state(int seg) {
        return state[seg];
    }

    public int written(int seg) {
        return written[seg];
    }

    public long live(int seg) {
        return live[seg];
    }

    /** Takes a free segment and marks it open; -1 when none is free. */
    public int allocate(Batch batch) {
        int seg = used.nextClearBit(0);
        if (seg >= state.length) {
            return -1;
        }
        used.set(seg);
        freeCount--;
        state[seg] = State.OPEN;
        written[seg] = 0;
        live[seg] = 0;
        firstBorn[seg] = 0;
        lastBorn[seg] = 0;
        persist(seg, batch);
        return seg;
    }

    public void setWritten(int seg, int bytes, Batch batch) {
        written[seg] = bytes;
        persist(seg, batch);
    }

    public void seal(int seg, Batch batch) {
        state[seg] = State.SEALED;
        persist(seg, batch);
    }

    /**
     * Adds to a segment's live bytes; the persistent counter is updated by {@link #persistLive}, one
     * merge per segment per batch rather than one per extent.
     */
    public void addLive(int seg, long delta, Batch batch) {
        live[seg] += delta;
        if (pendingLive[seg] == 0 && !pendingMarked[seg]) {
            pendingMarked[seg] = true;
            pendingSegments[pendingCount++] = seg;
        }
        pendingLive[seg] += delta;
    }

    /** Writes the live-byte deltas accumulated since the last call into batch. */
    public void persistLive(Batch batch) {
        for (int i = 0; i < pendingCount; i++) {
            int seg = pendingSegments[i];
            batch.add(Map.SEGMENT_LIVE, Keys.u32(seg), pendingLive[seg]);
            pendingLive[seg] = 0;
            pendingMarked[seg] = false;
        }
        pendingCount = 0;
    }

    /** Returns a segment with no live extents to the free pool. */
    public void free(int seg, Batch batch) {
        if (live[seg] != 0) {
            throw new IllegalStateException("segment " + seg + " still holds " + live[seg] + " live bytes");
        }
        state[seg] = State.FREE;
        written[seg] = 0;
        firstBorn[seg] = 0;
        lastBorn[seg] = 0;
        used.clear(seg);
        freeCount++;
        batch.delete(Map.SEGMENTS, Keys.u32(seg));
        batch.delete(Map.SEGMENT_LIVE, Keys.u32(seg));
    }

    /** Records that extent id was created in seg (ids grow, and seg is the open segment). */
    public void noteBirth(int seg, long id) {
        if (firstBorn[seg] == 0) {
            firstBorn[seg] = id;
        }
        lastBorn[seg] = id;
    }

    /** Whether extent id was created in seg (as opposed to moved there by the cleaner). */
    public boolean bornIn(int seg, long id) {
        return firstBorn[seg] != 0 && id >= firstBorn[seg] && id <= lastBorn[seg];
    }

    public long firstBorn(int seg) {
        return firstBorn[seg];
    }

    public long lastBorn(int seg) {
        return lastBorn[seg];
    }

    private static final int RECORD_BYTES = 21;

    private void persist(int seg, Batch batch) {
        byte[] v = new byte[RECORD_BYTES];
        v[0] = (byte) state[seg].ordinal();
        Keys.putInt(v, 1, written[seg]);
        Keys.putLong(v, 5, firstBorn[seg]);
        Keys.putLong(v, 13, lastBorn[seg]);
        batch.put(Map.SEGMENTS, Keys.u32(seg), v);
    }

    public List<Integer> inState(State s) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < state.length; i++) {
            if (state[i] == s) {
                out.add(i);
            }
        }
        return out;
    }

    /** Bytes written into non-free segments: live data plus garbage not yet cleaned. */
    public long totalWritten() {
        long sum = 0;
        for (int i = 0; i < state.length; i++) {
            if (state[i] != State.FREE) {
                sum += written[i];
            }
        }
        return sum;
    }

    public long totalLive() {
        long sum = 0;
        for (long l : live) {
            sum += l;
        }
        return sum;
    }
}
