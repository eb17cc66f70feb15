package dev.kvbm.tier.s3.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy in front of a server that counts PUT requests and can let the first through but drop the
 * server's answer to it (the client's connection is closed as the answer arrives), as a timeout or a broken connection would after
 * the server has acted (an interim {@code 100 Continue} passes). Everything else passes both ways.
 */
final class ResponseDroppingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int target;
    private final AtomicBoolean armed;
    final AtomicInteger dropped = new AtomicInteger();
    /** PUT requests that reached the server. */
    final AtomicInteger puts = new AtomicInteger();

    /** A proxy to {@code target} that drops the answer to the first PUT when {@code dropFirstPut}. */
    ResponseDroppingProxy(int target, boolean dropFirstPut) throws IOException {
        this.target = target;
        this.armed = new AtomicBoolean(dropFirstPut);
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("drop-proxy-accept").start(this::accept);
    }

    int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                AtomicBoolean drop = new AtomicBoolean();
                Thread.ofPlatform().daemon().start(() -> pump(client, server, drop, true));
                Thread.ofPlatform().daemon().start(() -> pump(server, client, drop, false));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void pump(Socket from, Socket to, AtomicBoolean drop, boolean request) {
        byte[] buf = new byte[64 * 1024];
        try (from; to) {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                if (request && new String(buf, 0, Math.min(n, 4), StandardCharsets.US_ASCII).equals("PUT ")) {
                    puts.incrementAndGet();
                    if (armed.compareAndSet(true, false)) {
                        drop.set(true);
                    }
                }
                if (!request && drop.get() && !new String(buf, 0, Math.min(n, 12), StandardCharsets.US_ASCII)
                        .equals("HTTP/1.1 100")) { // an interim 100 Continue passes: the server has not acted yet
                    dropped.incrementAndGet();
                    return; // closes both: the client never sees the answer
                }
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the other side went away
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
