package dev.kvbm.bench.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Worker processes for the ZeroMQ benchmark, started from a JMH fork with the fork's own java, class path and
 * flags ({@link BenchWorkerMain}), so the workers do not share the leader's JVM (whose threads would compete
 * with theirs inside one scheduler). They die with the fork: {@link #close()}, and their parent watch.
 */
public final class BenchWorkerProcesses implements AutoCloseable {
    private final List<Process> processes = new ArrayList<>();
    private final List<Path> logs = new ArrayList<>();

    /**
     * Starts {@code n} workers connected to the leader's endpoints, each answering the raw broadcasts of
     * {@code rawPub} on {@code rawPull}; the first also echoes on a REP socket connected to {@code reqEndpoint}.
     */
    public BenchWorkerProcesses(int n, String pub, String ack, int g1Blocks, String rawPub, String rawPull,
                                String reqEndpoint) {
        String java = ProcessHandle.current().info().command().orElseThrow(() -> new KvbmException(
                ErrorCode.INVALID_STATE, "cannot tell which java runs this fork, to start the workers with it"));
        try {
            for (int i = 0; i < n; i++) {
                List<String> cmd = new ArrayList<>();
                cmd.add(java);
                cmd.addAll(ForkClasspath.JVM_ARGS.stream().filter(a -> !a.startsWith("-Xmx")).toList());
                cmd.addAll(List.of("-Xmx512m", "-cp", System.getProperty("java.class.path"),
                        BenchWorkerMain.class.getName(), pub, ack, String.valueOf(g1Blocks), rawPub, rawPull));
                if (i == 0) {
                    cmd.add(reqEndpoint);
                }
                Path log = Files.createTempFile("kvbm-bench-worker-" + i + "-", ".log");
                logs.add(log);
                processes.add(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start());
            }
        } catch (IOException e) {
            close();
            throw new KvbmException(ErrorCode.IO_ERROR, "cannot start a benchmark worker process: " + e.getMessage(), e);
        }
    }

    /** The end of the log of every worker that exited, to explain a handshake that never finished. */
    public String exited() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < processes.size(); i++) {
            Process p = processes.get(i);
            if (!p.isAlive()) {
                String text;
                try {
                    text = Files.readString(logs.get(i));
                } catch (IOException e) {
                    text = "(no log: " + e.getMessage() + ")";
                }
                b.append("\n  worker ").append(i).append(" exited with ").append(p.exitValue()).append(": ")
                        .append(text.length() > 2000 ? text.substring(text.length() - 2000) : text.strip());
            }
        }
        return b.toString();
    }

    /** Asks every worker to stop, waits up to 5 s for them together, then kills what is left. */
    @Override
    public void close() {
        processes.forEach(Process::destroy);
        try {
            CompletableFuture.allOf(processes.stream().map(Process::onExit).toArray(CompletableFuture[]::new))
                    .get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // killed below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        processes.stream().filter(Process::isAlive).forEach(Process::destroyForcibly);
        for (Path log : logs) {
            try {
                Files.deleteIfExists(log);
            } catch (IOException ignored) {
                // a temp file
            }
        }
    }
}
