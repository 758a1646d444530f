package io.tamp.datapath.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tamp.datapath.pool.Pool;
import io.tamp.metadata.store.Batch;
import io.tamp.metadata.store.ExtentRecord;
import io.tamp.metadata.store.MetadataStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentWriterTest {
    static final int SEGMENT = 64 << 10;

    @TempDir
    Path dir;

    record Appended(int segment, int offset, byte[] bytes) {}

    @Test
    void everyAppendedExtentReadsBackThroughRollsFailedRollsAndReuse() throws Exception {
        try (Pool pool = Pool.create(List.of(dir.resolve("d0"), dir.resolve("d1")), (1 << 20) + 4L * SEGMENT, SEGMENT);
             MetadataStore store = MetadataStore.open(dir.resolve("meta"), () -> { });
             Batch batch = store.newBatch()) {
            SegmentTable table = SegmentTable.load(store, pool.segmentCount(), SEGMENT);
            SegmentWriter writer = new SegmentWriter(pool, table);
            SplittableRandom random = new SplittableRandom(1);
            List<Appended> appended = new ArrayList<>();
            // fill until the pool has no segment left: the last roll fails
            int offset;
            do {
                byte[] b = new byte[3000];
                random.nextBytes(b);
                offset = writer.append(b, 0, b.length, batch);
                if (offset >= 0) {
                    appended.add(new Appended(writer.segment(), offset, b));
                }
            } while (offset >= 0);
            assertEquals(-1, writer.segment());
            writer.drain();
            // the cleaner frees the segment sealed by the failed roll; the next append reuses it
            int last = appended.get(appended.size() - 1).segment();
            appended.removeIf(a -> a.segment() == last);
            table.free(last, batch);
            for (int i = 0; i < 32; i++) {
                byte[] b = new byte[2000];
                random.nextBytes(b);
                offset = writer.append(b, 0, b.length, batch);
                assertTrue(offset >= 0);
                assertEquals(last, writer.segment());
                appended.add(new Appended(last, offset, b));
            }
            writer.drain();
            ExtentReader reader = ExtentReader.current();
            for (Appended a : appended) {
                ExtentRecord r = new ExtentRecord(a.segment(), a.offset(), a.bytes().length, (byte) 0, 0, new byte[32]);
                byte[] got = Arrays.copyOf(reader.read(pool, writer, r), a.bytes().length);
                assertArrayEquals(a.bytes(), got, "segment " + a.segment() + " offset " + a.offset());
            }
            writer.close();
        }
    }
}
