package dev.kvbm.bench.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A redis-server of the benchmark's own: on a free loopback port, in a temporary directory, without persistence;
 * {@link #close()} kills it and deletes the directory.
 */
final class LoopbackRedis implements AutoCloseable {
    final int port;
    private final Path dir;
    private final Process process;

    private LoopbackRedis(int port, Path dir, Process process) {
        this.port = port;
        this.dir = dir;
        this.process = process;
    }

    static LoopbackRedis start(Path redisServer) throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            port = s.getLocalPort();
        }
        Path dir = Files.createTempDirectory("kvbm-bench-redis");
        Process p = new ProcessBuilder(redisServer.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--protected-mode", "no")
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        LoopbackRedis server = new LoopbackRedis(port, dir, p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                String log = Files.readString(dir.resolve("redis.log"));
                server.close();
                throw new IOException("redis-server exited at start: " + log.strip());
            }
            if (server.command("PING").startsWith("+PONG")) {
                return server;
            }
            Thread.sleep(20);
        }
        server.close();
        throw new IOException("redis-server on 127.0.0.1:" + port + " did not answer PING in 10 s");
    }

    String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Sends one inline command; the first reply line, or an empty string when the server does not answer. */
    String command(String inline) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write((inline + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }

    boolean dirDeleted() {
        return !Files.exists(dir);
    }

    /** CPU time the server has used so far, in nanoseconds (0 where the platform does not tell). */
    long cpuNanos() {
        return process.toHandle().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }

    boolean alive() {
        return process.isAlive();
    }
}
