package io.tamp.metadata.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tamp.metadata.store.MetadataStore.Map;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetadataStoreTest {
    @TempDir
    Path dir;

    @Test
    void countersMergeAndBatchesPersistAfterWalSync() throws Exception {
        AtomicInteger hooks = new AtomicInteger();
        try (MetadataStore s = MetadataStore.open(dir, hooks::incrementAndGet); Batch b = s.newBatch()) {
            b.add(Map.REFCOUNTS, Keys.u64(5), 3).add(Map.REFCOUNTS, Keys.u64(5), -1);
            b.put(Map.EXTENTS, Keys.u64(5), new byte[] {1, 2});
            s.commit(b);
            assertEquals(2, s.counter(Map.REFCOUNTS, Keys.u64(5)));
            s.syncWal();
            s.flushMemtables();
        }
        assertEquals(true, hooks.get() >= 1, "the pre-flush hook runs before SSTs are written");
        try (MetadataStore s = MetadataStore.open(dir, () -> { })) {
            assertEquals(2, s.counter(Map.REFCOUNTS, Keys.u64(5)));
            assertEquals(2, s.get(Map.EXTENTS, Keys.u64(5)).length);
            assertNull(s.get(Map.EXTENTS, Keys.u64(6)));
        }
    }

    @Test
    void aViewKeepsReadingTheStateItWasOpenedOn() throws Exception {
        try (MetadataStore s = MetadataStore.open(dir, () -> { })) {
            try (Batch b = s.newBatch()) {
                s.commit(b.put(Map.BLOCKMAP, Keys.blockKey(1, 0), new byte[] {1}).add(Map.REFCOUNTS, Keys.u64(9), 4));
            }
            try (MetadataStore.View view = s.view()) {
                try (Batch b = s.newBatch()) {
                    s.commit(b.put(Map.BLOCKMAP, Keys.blockKey(1, 1), new byte[] {2}).add(Map.REFCOUNTS, Keys.u64(9), 1));
                }
                int entries = 0;
                try (org.rocksdb.RocksIterator it = view.iterator(Map.BLOCKMAP)) {
                    for (it.seekToFirst(); it.isValid(); it.next()) {
                        entries++;
                    }
                }
                assertEquals(1, entries, "the entry committed after the view was opened is not seen");
                assertEquals(4, Keys.getLe64(view.multiGet(Map.REFCOUNTS, java.util.List.of(Keys.u64(9))).get(0)));
                assertEquals(5, s.counter(Map.REFCOUNTS, Keys.u64(9)));
            }
        }
    }

    @Test
    void addOnANonCounterMapIsRefused() throws Exception {
        try (MetadataStore s = MetadataStore.open(dir, () -> { }); Batch b = s.newBatch()) {
            assertThrows(IllegalArgumentException.class, () -> b.add(Map.EXTENTS, Keys.u64(1), 1));
        }
    }
}
