package io.tamp.mgmt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promise: {@code estimate} predicts what {@code import} then reports, and the bytes
 * import stores for unique blocks come within 3% of per-block LZ4 on each unique 4 KiB block.
 */
class EstimateImportAgreementTest {
    private static final long SEED = Long.getLong("tamp.test.seed", 0x7A3B_2026L);
    private static final double STORED_BOUND = 1.03;
    private static final double RATIO_TOLERANCE = 0.01;

    @TempDir
    Path tmp;

    @Test
    void generatedDataSetImportsToWhatEstimatePredicts() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("data"));
        List<Path> files = new RealisticData(SEED).write(data);

        Figures f = estimateThenImport(files, "seed " + SEED);

        String why = "seed " + SEED + ": " + f;
        // the data set must exercise all three reductions, or agreement proves little
        assertTrue(f.estimate.get("zero_blocks").asLong() > 0, why);
        assertTrue(f.estimate.get("dedup_ratio").asDouble() > 1.2, why);
        assertTrue(f.estimate.get("compression_ratio").asDouble() > 1.3, why);
        assertTrue(f.estimate.get("unique_data_physical").asLong() < f.estimate.get("unique_blocks").asLong() * 4096,
                why);

        byte[] image = RealisticData.volumeImage(files);
        Path expected = Files.write(tmp.resolve("expected.img"), image);
        Cli.Result verify = Cli.tamp("export", "--pool", f.pool.toString(), "--volume", "v", "--verify",
                expected.toString());
        assertEquals(0, verify.exitCode(), why + "\n" + verify);
        assertTrue(verify.err().contains("verify: match, " + image.length + " bytes"), verify.toString());

        Path exported = tmp.resolve("exported.img");
        Cli.Result export = Cli.tamp("export", "--pool", f.pool.toString(), "--volume", "v", exported.toString());
        assertEquals(0, export.exitCode(), export.toString());
        assertEquals(-1, Files.mismatch(expected, exported), "exported volume differs from the imported files; " + why);

        image[image.length / 2] ^= 1;
        Path altered = Files.write(tmp.resolve("altered.img"), image);
        Cli.Result mismatch = Cli.tamp("export", "--pool", f.pool.toString(), "--volume", "v", "--verify",
                altered.toString());
        assertEquals(1, mismatch.exitCode(), "export --verify must notice one flipped bit: " + mismatch);
        assertTrue(mismatch.err().contains("verify: differs"), mismatch.toString());
    }

    /** A realistic binary every test machine has: the start of the JDK's own module image. */
    @Test
    void jdkModuleImageImportsToWhatEstimatePredicts() throws IOException {
        Path modules = Path.of(System.getProperty("java.home"), "lib", "modules");
        byte[] prefix = RealisticData.prefixOf(modules, 16 << 20);
        assumeTrue(prefix != null, "no " + modules + " in this JDK");
        Path file = Files.write(tmp.resolve("modules.head"), prefix);

        Figures f = estimateThenImport(List.of(file), modules.toString());

        Path exported = tmp.resolve("modules.out");
        Cli.Result export = Cli.tamp("export", "--pool", f.pool.toString(), "--volume", "v", "--length",
                Long.toString(prefix.length), exported.toString());
        assertEquals(0, export.exitCode(), export.toString());
        assertEquals(-1, Files.mismatch(file, exported), "exported bytes differ from " + modules);
    }

    private record Figures(Path pool, JsonNode estimate, JsonNode imported) {
        @Override
        public String toString() {
            return "\nestimate " + estimate + "\nimport   " + imported;
        }
    }

    private Figures estimateThenImport(List<Path> files, String label) throws IOException {
        List<String> names = files.stream().map(Path::toString).toList();
        Cli.Result est = Cli.tamp(args(List.of("estimate"), names));
        assertEquals(0, est.exitCode(), label + ": " + est);
        JsonNode e = est.json();

        Path pool = tmp.resolve("pool");
        Cli.Result imp = Cli.tamp(args(List.of("import", "--pool", pool.toString(), "--devices", "2",
                "--device-gib", "1", "--volume", "v", "--verify"), names));
        assertEquals(0, imp.exitCode(), label + ": " + imp);
        assertTrue(imp.err().contains("bytes match"), "import --verify reported no match: " + imp);
        JsonNode i = imp.json();
        Figures f = new Figures(pool, e, i);
        System.out.println(label + ":" + f);
        String why = label + ": " + f;

        long expectedBlocks = 0;
        for (Path p : files) {
            expectedBlocks += (Files.size(p) + 4095) / 4096;
        }
        assertEquals(expectedBlocks, e.get("blocks").asLong(), why);
        assertEquals(e.get("logical_used").asLong(), field(i, "logical_used").asLong(), why);
        assertEquals(e.get("unique_blocks").asLong(), field(i, "unique_blocks").asLong(), why);

        long bound = e.get("unique_data_physical").asLong();
        long stored = field(i, "unique_data_physical").asLong();
        assertTrue(stored >= bound, "import stored less than per-block LZ4 allows: " + why);
        assertTrue(stored <= bound * STORED_BOUND, "unique blocks take more than 3% over per-block LZ4: " + why);
        // bytes written into segments, padding and segment tails included, must meet the bound too
        long physical = field(i, "physical_used").asLong();
        assertTrue(physical >= stored && physical <= bound * STORED_BOUND, "physical_used misses the bound: " + why);

        for (String ratio : List.of("dedup_ratio", "compression_ratio", "data_reduction_ratio")) {
            double want = e.get(ratio).asDouble();
            double got = field(i, ratio).asDouble();
            assertEquals(want, got, want * RATIO_TOLERANCE, ratio + ": " + why);
        }
        // the one volume holds everything: its own report must agree with the pool's
        JsonNode vol = field(i, "volume");
        assertEquals(field(i, "logical_used").asLong(), field(vol, "logical_used").asLong(), why);
        assertEquals(stored, field(vol, "unique_data_physical").asLong(), why);
        assertEquals(stored, field(vol, "exclusive_physical").asLong(), why);
        assertEquals(e.get("data_reduction_ratio").asDouble(), field(vol, "data_reduction_ratio").asDouble(),
                e.get("data_reduction_ratio").asDouble() * RATIO_TOLERANCE, why);
        return f;
    }

    private static JsonNode field(JsonNode n, String name) {
        JsonNode v = n.get(name);
        assertNotNull(v, "import's JSON has no " + name + ": " + n);
        return v;
    }

    private static String[] args(List<String> head, List<String> tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(tail);
        return all.toArray(String[]::new);
    }
}
