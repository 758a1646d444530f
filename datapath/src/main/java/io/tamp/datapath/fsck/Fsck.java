package io.tamp.datapath.fsck;

import io.tamp.datapath.reduce.Codec;
import io.tamp.datapath.reduce.Reducer;
import io.tamp.datapath.store.ExtentReader;
import io.tamp.datapath.store.SegmentTable;
import io.tamp.datapath.volume.BlockMapEntry;
import io.tamp.datapath.volume.Engine;
import io.tamp.metadata.store.ExtentRecord;
import io.tamp.metadata.store.Keys;
import io.tamp.metadata.store.MetadataStore;
import io.tamp.metadata.store.MetadataStore.Map;
import io.tamp.metadata.store.VolumeRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.rocksdb.RocksIterator;

/**
 * Checks every invariant of the engine's on-disk state and names each violation: every mapped
 * extent exists and its bytes pass their CRC and decode; refcount = references from the block maps
 * of all volumes and snapshots; every live snapshot has a live source and none is half created;
 * segment live bytes = sum of their extents; every fingerprint entry points at a live extent with
 * that fingerprint; the accounting counters add up. Runs with the commit lock held.
 */
public final class Fsck {
    /** What fsck found; {@code violations} is empty for a consistent pool. */
    public record Result(List<String> violations, long volumes, long mappedBlocks, long extents, long extentBytes,
                         long fingerprints) {
        public boolean ok() {
            return violations.isEmpty();
        }
    }

    private static final int MAX_REPORTED = 100;

    private final Engine engine;
    private final MetadataStore store;
    private final List<String> violations = new ArrayList<>();
    private long violationCount;

    private Fsck(Engine engine) {
        this.engine = engine;
        this.store = engine.metadata();
    }

    public static Result check(Engine engine) {
        return engine.quiesced(() -> new Fsck(engine).run());
    }

    private void violation(String s) {
        violationCount++;
        if (violations.size() < MAX_REPORTED) {
            violations.add(s);
        } else if (violations.size() == MAX_REPORTED) {
            violations.add("... further violations not listed");
        }
    }

    private Result run() {
        HashMap<Long, VolumeRecord> catalog = new HashMap<>();
        try (RocksIterator it = store.iterator(Map.VOLUMES)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                long id = Keys.getLong(it.key(), 0);
                catalog.put(id, VolumeRecord.decode(id, it.value()));
            }
        }
        checkSnapshotRecords(catalog);
        HashMap<Long, Long> refs = new HashMap<>();
        HashMap<Long, Long> mappedPerVolume = new HashMap<>();
        long mapped = 0;
        try (RocksIterator it = store.iterator(Map.BLOCKMAP)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                long vol = Keys.getLong(it.key(), 0);
                long lba = Keys.getLong(it.key(), 8);
                VolumeRecord v = catalog.get(vol);
                if (v == null) {
                    violation("block map entry of unknown volume " + vol + " at lba " + lba);
                    continue;
                }
                if (v.state() == VolumeRecord.State.ACTIVE && lba >= v.sizeBytes() / Reducer.BLOCK_BYTES) {
                    violation("volume " + v.name() + " maps lba " + lba + " beyond its size");
                }
                long extent = BlockMapEntry.extentId(it.value());
                if (extent != BlockMapEntry.ZERO) {
                    refs.merge(extent, 1L, Long::sum);
                    mappedPerVolume.merge(vol, 1L, Long::sum);
                    mapped++;
                }
            }
        }
        for (VolumeRecord v : catalog.values()) {
            long counted = mappedPerVolume.getOrDefault(v.id(), 0L);
            long recorded = store.counter(Map.VOLUME_STATS, Keys.u64(v.id()));
            if (counted != recorded) {
                violation("volume " + v.name() + " records " + recorded + " mapped blocks but maps " + counted);
            }
        }
        SegmentTable segments = engine.segmentTable();
        long[] live = new long[segments.segmentCount()];
        long extents = 0;
        long extentBytes = 0;
        Reducer reducer = new Reducer();
        byte[] block = new byte[Reducer.BLOCK_BYTES];
        try (RocksIterator it = store.iterator(Map.EXTENTS)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                long id = Keys.getLong(it.key(), 0);
                ExtentRecord r = ExtentRecord.decode(it.value());
                extents++;
                extentBytes += r.length();
                long referenced = refs.getOrDefault(id, 0L);
                refs.remove(id);
                long refcount = store.counter(Map.REFCOUNTS, Keys.u64(id)) + 1; // stored as refcount - 1
                if (refcount != referenced) {
                    violation("extent " + id + " has refcount " + refcount + " but " + referenced + " references");
                }
                if (r.segment() < 0 || r.segment() >= live.length) {
                    violation("extent " + id + " in nonexistent segment " + r.segment());
                    continue;
                }
                live[r.segment()] += r.length();
                if (segments.state(r.segment()) == SegmentTable.State.FREE) {
                    violation("extent " + id + " lives in free segment " + r.segment());
                } else if (r.offset() + r.length() > segments.written(r.segment())) {
                    violation("extent " + id + " ends past the written part of segment " + r.segment());
                }
                if (!segments.bornIn(r.segment(), id)
                        && store.get(Map.SEGMENT_EXTENTS, Keys.segmentExtentKey(r.segment(), id)) == null) {
                    violation("extent " + id + " neither born in segment " + r.segment() + " nor on its extent list");
                }
                checkBytes(id, r, reducer, block);
            }
        }
        for (var e : refs.entrySet()) {
            violation("block map references missing extent " + e.getKey() + " (" + e.getValue() + " times)");
        }
        try (RocksIterator it = store.iterator(Map.REFCOUNTS)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                long id = Keys.getLong(it.key(), 0);
                if (store.get(Map.EXTENTS, it.key()) == null) {
                    violation("refcount " + (Keys.getLe64(it.value()) + 1) + " kept for missing extent " + id);
                }
            }
        }
        try (RocksIterator it = store.iterator(Map.SEGMENT_EXTENTS)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                int seg = Keys.getInt(it.key(), 0);
                long id = Keys.getLong(it.key(), 4);
                byte[] v = store.get(Map.EXTENTS, Keys.u64(id));
                if (v == null || ExtentRecord.decode(v).segment() != seg) {
                    violation("segment " + seg + " lists extent " + id + " which does not live there");
                }
            }
        }
        for (int seg = 0; seg < live.length; seg++) {
            if (live[seg] != segments.live(seg)) {
                violation("segment " + seg + " records " + segments.live(seg) + " live bytes but holds " + live[seg]);
            }
        }
        if (extents != engine.uniqueBlocks() || extentBytes != engine.uniqueBytes()) {
            violation("accounting records " + engine.uniqueBlocks() + " unique blocks / " + engine.uniqueBytes()
                    + " bytes but the extent table holds " + extents + " / " + extentBytes);
        }
        long[] fingerprints = {0};
        engine.fingerprintIndex().forEach((fp, id) -> {
            fingerprints[0]++;
            byte[] v = store.get(Map.EXTENTS, Keys.u64(id));
            if (v == null) {
                violation("fingerprint entry points at missing extent " + id);
            } else if (!ExtentRecord.decode(v).fingerprintEquals(fp, 0)) {
                violation("fingerprint entry for extent " + id + " does not match the extent's fingerprint");
            }
        });
        return new Result(List.copyOf(violations), catalog.size(), mapped, extents, extentBytes, fingerprints[0]);
    }

    /**
     * A live snapshot's source is a live volume (a volume is deleted with its snapshots or not at
     * all), and no snapshot is left half created (the engine releases one at open).
     */
    private void checkSnapshotRecords(HashMap<Long, VolumeRecord> catalog) {
        for (VolumeRecord r : catalog.values()) {
            if (r.state() == VolumeRecord.State.CREATING) {
                violation("snapshot " + r.name() + " (id " + r.id() + ") is half created");
            }
            if (!r.isSnapshot() || r.state() != VolumeRecord.State.ACTIVE) {
                continue;
            }
            VolumeRecord source = catalog.get(r.sourceId());
            if (source == null || source.isSnapshot() || source.state() != VolumeRecord.State.ACTIVE) {
                violation("snapshot " + r.name() + " (id " + r.id() + ") has no live source volume " + r.sourceId());
            }
        }
    }

    private void checkBytes(long id, ExtentRecord r, Reducer reducer, byte[] block) {
        try {
            byte[] stored = ExtentReader.current().read(engine.pool(), engine.segmentWriter(), r);
            if (reducer.crc32c(stored, 0, r.length()) != r.crc()) {
                violation("extent " + id + " fails its CRC (segment " + r.segment() + " offset " + r.offset() + ")");
                return;
            }
            Codec codec = Codec.of(r.codec());
            if (codec == null || !reducer.decode(codec, stored, 0, r.length(), block, 0)) {
                violation("extent " + id + " does not decode to one block");
                return;
            }
            byte[] fp = new byte[32];
            reducer.fingerprint(block, 0, fp);
            if (!r.fingerprintEquals(fp, 0)) {
                violation("extent " + id + " content does not match its fingerprint");
            }
        } catch (IOException e) {
            violation("extent " + id + " unreadable: " + e.getMessage());
        }
    }
}
