package io.tamp.perf.load;

import io.tamp.datapath.volume.Engine;
import io.tamp.datapath.volume.EngineConfig;
import io.tamp.datapath.volume.Volume;
import io.tamp.metadata.fingerprint.ChronicleFingerprintIndex;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident bytes per unique 4 KiB block held by the fingerprint index and the block map: writes N
 * unique blocks through the engine and reports heap (after GC), the index's off-heap mapping and
 * RocksDB's memory (memtables, table readers, block cache), divided by N — once with the block map
 * still in memtables and once after they are flushed to SST files. Not part of the test suite.
 *
 * <pre>java -cp perf/target/benchmarks.jar io.tamp.perf.load.MemoryPerBlock [blocks]</pre>
 */
public final class MemoryPerBlock {
    public static void main(String[] args) throws Exception {
        long blocks = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        Path dir = Files.createTempDirectory("tamp-mem");
        EngineConfig d = EngineConfig.defaults(dir);
        EngineConfig c = new EngineConfig(dir, 2, 16 * EngineConfig.GiB, d.segmentBytes(), blocks, false, 0,
                d.drainBlocksPerTick(), d.inlineUnmapBlocks());
        try (Engine e = Engine.open(c)) {
            Volume v = e.createVolume("mem", blocks * 4096);
            long heapBefore = usedHeap();
            long rocksBefore = e.metadata().memoryBytes();
            UnmapDrainLoad.fill(v, blocks, 11);
            e.flush();
            long heapAfter = usedHeap();
            long rocksAfter = e.metadata().memoryBytes();
            long index = e.fingerprintIndex() instanceof ChronicleFingerprintIndex ci ? ci.offHeapBytes() : -1;
            System.out.printf("unique blocks: %d (engine reports %d)%n", blocks, e.uniqueBlocks());
            System.out.printf("heap growth: %.1f B/block%n", (heapAfter - heapBefore) / (double) blocks);
            System.out.printf("fingerprint index (Chronicle Map, mapped file sized for %d entries): %.1f B/block%n",
                    blocks, index / (double) blocks);
            System.out.printf("RocksDB memory, block map in memtables: %.1f B/block%n",
                    (rocksAfter - rocksBefore) / (double) blocks);
            e.metadata().flushMemtables();
            System.out.printf("RocksDB memory after memtable flush: %.1f B/block (SST on disk: %.1f B/block)%n",
                    (e.metadata().memoryBytes() - rocksBefore) / (double) blocks,
                    e.metadata().diskBytes() / (double) blocks);
        } finally {
            try (var w = Files.walk(dir)) {
                w.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static long usedHeap() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
