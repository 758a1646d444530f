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
    void addOnANonCounterMapIsRefused() throws Exception {
        try (MetadataStore s = MetadataStore.open(dir, () -> { }); Batch b = s.newBatch()) {
            assertThrows(IllegalArgumentException.class, () -> b.add(Map.EXTENTS, Keys.u64(1), 1));
        }
    }
}
