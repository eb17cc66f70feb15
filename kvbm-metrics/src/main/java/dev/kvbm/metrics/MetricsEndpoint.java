package dev.kvbm.metrics;

import com.sun.net.httpserver.HttpServer;
import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /metrics} in Prometheus' text format, on one HTTP port. Bound to loopback unless another
 * address is given on purpose.
 */
public final class MetricsEndpoint implements AutoCloseable {
    /** Dynamo's default metrics port. */
    public static final int DEFAULT_PORT = 6880;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpServer server;

    private MetricsEndpoint(InetSocketAddress address) {
        try {
            server = HttpServer.create(address, 16);
        } catch (IOException e) {
            throw KvbmException.forField(ErrorCode.INVALID_CONFIG, "metricsPort", "the metrics endpoint cannot listen on "
                    + address.getHostString() + ":" + address.getPort() + ": " + e.getMessage());
        }
        server.createContext("/metrics", exchange -> {
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    /** An endpoint on loopback at {@code port} (0: any free port), 0..65535. */
    public static MetricsEndpoint start(int port) {
        return start(InetAddress.getLoopbackAddress(), port);
    }

    public static MetricsEndpoint start(InetAddress address, int port) {
        if (port < 0 || port > 65_535) {
            throw KvbmException.invalid("metricsPort", port, "in 0..65535 (0: any free port)");
        }
        return new MetricsEndpoint(new InetSocketAddress(address, port));
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** What a scrape returns now. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        server.stop(0);
        registry.close();
    }
}
