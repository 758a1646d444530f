package io.tamp.mgmt.cli;

import io.tamp.datapath.reduce.Estimator;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The reduction the engine would reach on some files, without storing anything. */
@Command(name = "estimate", description = "Print the dedup, compression and data-reduction ratios the engine would reach.")
public final class EstimateCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE")
    List<Path> files;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Estimator e = new Estimator();
        for (Path f : files) {
            try (InputStream in = new BufferedInputStream(Files.newInputStream(f), 1 << 20)) {
                e.add(in);
            }
        }
        var m = new LinkedHashMap<String, Object>();
        m.put("blocks", e.blocks());
        m.put("zero_blocks", e.zeroBlocks());
        m.put("unique_blocks", e.uniqueBlocks());
        m.put("logical_used", e.logicalBytes());
        m.put("unique_data_physical", e.storedBytes());
        m.put("dedup_ratio", e.dedupRatio());
        m.put("compression_ratio", e.compressionRatio());
        m.put("data_reduction_ratio", e.dataReductionRatio());
        spec.commandLine().getOut().println(Json.write(m));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
