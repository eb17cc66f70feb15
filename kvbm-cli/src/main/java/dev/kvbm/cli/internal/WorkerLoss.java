package dev.kvbm.cli.internal;

import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.offload.PathStats;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The exit status of {@code kvbm replay --workers}: {@link Cli#WORKER_LOST} when a worker process died or
 * transfers failed during the run (its report is then incomplete), with one line on stderr saying which;
 * otherwise {@link Cli#OK}.
 */
final class WorkerLoss {
    private WorkerLoss() {
    }

    static int exitStatus(LocalWorkers cluster, KvBlockManager manager, PrintStream err) {
        List<String> why = new ArrayList<>(cluster.exited());
        long failed = manager.pathStats().values().stream().mapToLong(PathStats::failures).sum();
        if (failed > 0) {
            why.add(failed + " transfer(s) failed");
        }
        if (why.isEmpty()) {
            return Cli.OK;
        }
        err.println("kvbm replay: the replay lost a worker (" + String.join("; ", why) + "): its figures are "
                + "incomplete (exit status " + Cli.WORKER_LOST + ")");
        return Cli.WORKER_LOST;
    }
}
