package io.tamp.mgmt;

import io.tamp.mgmt.cli.EstimateCommand;
import io.tamp.mgmt.cli.ExportCommand;
import io.tamp.mgmt.cli.FsckCommand;
import io.tamp.mgmt.cli.ImportCommand;
import io.tamp.mgmt.cli.ServeCommand;
import io.tamp.mgmt.cli.admin.HostCommand;
import io.tamp.mgmt.cli.admin.LoginCommand;
import io.tamp.mgmt.cli.admin.MapCommand;
import io.tamp.mgmt.cli.admin.MetricsCommand;
import io.tamp.mgmt.cli.admin.SnapshotCommand;
import io.tamp.mgmt.cli.admin.SpaceCommand;
import io.tamp.mgmt.cli.admin.VolumeCommand;
import io.tamp.mgmt.client.TampClient;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tamp} launcher: the controller process and the offline tools. */
@Command(name = "tamp", mixinStandardHelpOptions = true, version = "tamp 0.1.0",
        description = "All-flash block-storage controller with inline deduplication and compression.",
        subcommands = {ServeCommand.class, ImportCommand.class, ExportCommand.class, EstimateCommand.class,
                FsckCommand.class, LoginCommand.class, VolumeCommand.class, HostCommand.class, MapCommand.class,
                SnapshotCommand.class, SpaceCommand.class, MetricsCommand.class})
public final class Tamp {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (tests call this in-process). */
    public static int run(String... args) {
        return run(null, null, args);
    }

    /** Runs a command line with its output and error streams redirected (null keeps the console's). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Tamp());
        if (out != null) {
            cl.setOut(out);
        }
        if (err != null) {
            cl.setErr(err);
        }
        cl.setExecutionExceptionHandler((ex, line, parse) -> {
            String why = ex instanceof TampClient.ApiError e
                    ? (e.status() == 0 ? e.getMessage() : e.status() + " " + e.code() + ": " + e.getMessage())
                    : ex.getMessage();
            line.getErr().println(line.getCommandSpec().qualifiedName() + ": " + why);
            return 1;
        });
        return cl.execute(args);
    }
}
