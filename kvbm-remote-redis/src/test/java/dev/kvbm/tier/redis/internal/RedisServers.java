package dev.kvbm.tier.redis.internal;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real redis-server processes on free loopback ports, in temporary directories, without persistence;
 * tests stop them. Without the binary the calling test is skipped, naming why.
 */
final class RedisServers {
    private RedisServers() {
    }

    static Path binary(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    static void assumeInstalled() {
        assumeTrue(binary("redis-server") != null, "redis-server is not installed (apt-get install redis-server): "
                + "the G4 Redis tests need a real server");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    /** A free port whose cluster-bus port (port + 10000) is free too. */
    static int freeClusterPort() throws IOException {
        java.util.Random random = new java.util.Random();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = 20_000 + random.nextInt(30_000);
            try (ServerSocket a = new ServerSocket(); ServerSocket b = new ServerSocket()) {
                a.bind(new InetSocketAddress("127.0.0.1", port));
                b.bind(new InetSocketAddress("127.0.0.1", port + 10_000));
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port pair (port, port + 10000) found on loopback");
    }

    /** One running redis-server. */
    static final class Server implements AutoCloseable {
        final int port;
        final Path dir;
        private Process process;
        private final List<String> extra;

        Server(int port, Path dir, List<String> extra) {
            this.port = port;
            this.dir = dir;
            this.extra = List.copyOf(extra);
        }

        String uri() {
            return "redis://127.0.0.1:" + port;
        }

        void start() throws IOException, InterruptedException {
            List<String> cmd = new ArrayList<>(List.of(binary("redis-server").toString(), "--port", Integer.toString(port),
                    "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(),
                    "--protected-mode", "no"));
            cmd.addAll(extra);
            Files.createDirectories(dir);
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis-" + port + ".log").toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IOException("redis-server exited: " + Files.readString(dir.resolve("redis-" + port + ".log")));
                }
                String pong = command("PING"); // +PONG, or -NOAUTH on a server with ACLs: either way it is up
                if (pong != null && !pong.isEmpty()) {
                    return;
                }
                Thread.sleep(20);
            }
            throw new IOException("redis-server on port " + port + " did not answer PING within 10 s");
        }

        /** Sends one inline command and returns the first reply line, or null when the server does not answer. */
        String command(String inline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                s.setSoTimeout(5000);
                OutputStream out = s.getOutputStream();
                out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                InputStream in = s.getInputStream();
                StringBuilder line = new StringBuilder();
                int c;
                while ((c = in.read()) != -1 && c != '\n') {
                    if (c != '\r') {
                        line.append((char) c);
                    }
                }
                return line.toString();
            } catch (IOException e) {
                return null;
            }
        }

        /** The server's pid, to stop (SIGSTOP) and continue it as a hung host would. */
        long pid() {
            return process.pid();
        }

        boolean alive() {
            return process != null && process.isAlive();
        }

        /** Kills the process at once (SIGKILL), as a crash would. */
        void kill() throws InterruptedException {
            if (process != null) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }

        @Override
        public void close() throws InterruptedException {
            kill();
        }
    }
}
