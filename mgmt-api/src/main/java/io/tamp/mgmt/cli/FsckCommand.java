package io.tamp.mgmt.cli;

import io.tamp.datapath.fsck.Fsck;
import io.tamp.datapath.volume.Engine;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** Checks every invariant of a pool; exits 1 naming each violation. */
@Command(name = "fsck", description = "Check a pool's invariants; exit status 1 on any violation.")
public final class FsckCommand implements Callable<Integer> {
    @Mixin
    PoolOptions pool;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        pool.requireExisting();
        try (Engine engine = Engine.open(pool.config(false))) {
            Fsck.Result r = Fsck.check(engine);
            var out = spec.commandLine().getOut();
            out.printf("fsck %s: %d volumes, %d mapped blocks, %d extents (%d bytes), %d fingerprints%n",
                    pool.dir, r.volumes(), r.mappedBlocks(), r.extents(), r.extentBytes(), r.fingerprints());
            for (String v : r.violations()) {
                out.println("VIOLATION: " + v);
            }
            out.println(r.ok() ? "clean" : r.violations().size() + " violation(s)");
            out.flush();
            return r.ok() ? 0 : 1;
        }
    }
}
