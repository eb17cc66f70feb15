package dev.kvbm.cli.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.kvbm.api.config.EnvironmentVariables;
import dev.kvbm.api.events.KvEventPublisher;
import dev.kvbm.api.spi.KvEventsConfig;
import dev.kvbm.api.spi.ProviderNames;
import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.providers.ProviderRegistry;
import dev.kvbm.core.remote.RemoteTierConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/**
 * What a replay, a leader or a worker offers beside its work: G4 ({@code --g4}), KV events ({@code --events},
 * {@code --events-replay}; where the logical pools are: replay and leader) and the metrics endpoint
 * ({@code --metrics-port}, {@code DYN_KVBM_METRICS}), kept up after a replay's report for {@code --serve-after}
 * seconds. Every option is checked before anything is bound or allocated.
 */
final class ReplayServices implements AutoCloseable {
    /** Environment equivalents of the event endpoints. */
    static final String EVENTS_ENV = "KVBM_EVENTS_ENDPOINT";
    static final String EVENTS_REPLAY_ENV = "KVBM_EVENTS_REPLAY_ENDPOINT";
    static final String METRICS_ENV = "DYN_KVBM_METRICS";
    static final String METRICS_PORT_ENV = "DYN_KVBM_METRICS_PORT";
    static final int DEFAULT_METRICS_PORT = 6880;

    private final String command;
    private final Optional<URI> g4;
    private final Optional<String> events;
    private final Optional<String> eventsReplay;
    private final Optional<Integer> metricsPort;
    private final int serveAfterSeconds;
    private KvEventPublisher publisher;
    private AutoCloseable metrics;

    private ReplayServices(String command, Optional<URI> g4, Optional<String> events, Optional<String> eventsReplay,
                           Optional<Integer> metricsPort, int serveAfterSeconds) {
        this.command = command;
        this.g4 = g4;
        this.events = events;
        this.eventsReplay = eventsReplay;
        this.metricsPort = metricsPort;
        this.serveAfterSeconds = serveAfterSeconds;
    }

    /** Checks a replay's options (and their environment equivalents); binds nothing yet. */
    static ReplayServices check(ReplayCommand c, EnvironmentVariables env) {
        return check("kvbm replay", c.g4, c.events, c.metrics, c.serveAfter, env);
    }

    /**
     * Checks the options of {@code command} (and their environment equivalents); binds nothing yet.
     * {@code events} is null for a command without event options (a worker: the leader publishes).
     */
    static ReplayServices check(String command, ServiceOptions.G4 g4Option, ServiceOptions.Events eventOptions,
                                ServiceOptions.Metrics metricsOption, Integer serveAfterOption, EnvironmentVariables env) {
        Optional<URI> g4 = Optional.ofNullable(g4Option.uri).map(ReplayServices::g4Uri);
        Optional<String> events = eventOptions == null ? Optional.empty() : Optional.ofNullable(eventOptions.endpoint)
                .or(() -> Optional.ofNullable(System.getenv(EVENTS_ENV)).filter(s -> !s.isBlank()));
        Optional<String> replay = eventOptions == null ? Optional.empty() : Optional.ofNullable(eventOptions.replay)
                .or(() -> Optional.ofNullable(System.getenv(EVENTS_REPLAY_ENV)).filter(s -> !s.isBlank()));
        if (replay.isPresent() && events.isEmpty()) {
            throw new UsageException("--events-replay needs --events (the PUB endpoint the batches go out on)");
        }
        if (events.isPresent()) {
            OptionalModules.require(OptionalModules.ZMQ, "--events");
            endpoint("--events", events.get());
            replay.ifPresent(r -> endpoint("--events-replay", r));
        }
        // --metrics-port and --serve-after carry their ranges (@Range), checked by Cli before any command runs.
        Optional<Integer> port = Optional.ofNullable(metricsOption.port);
        if (port.isEmpty() && env.bool(METRICS_ENV).orElse(false)) {
            port = Optional.of((int) env.port(METRICS_PORT_ENV).orElse(DEFAULT_METRICS_PORT));
        }
        if (port.isPresent()) {
            OptionalModules.require(OptionalModules.METRICS, "--metrics-port");
        }
        int serveAfter = serveAfterOption == null ? 0 : serveAfterOption;
        if (serveAfter > 0 && port.isEmpty() && events.isEmpty()) {
            throw new UsageException("--serve-after keeps the metrics and event endpoints up: give --metrics-port or "
                    + "--events");
        }
        return new ReplayServices(command, g4, events, replay, port, serveAfter);
    }

    /** Whether any of G4, events or metrics was asked for. */
    boolean requested() {
        return g4.isPresent() || events.isPresent() || metricsPort.isPresent();
    }

    private static URI g4Uri(String text) {
        try {
            URI uri = new URI(text);
            if (uri.getScheme() == null) {
                throw new UsageException("--g4 must be a URI such as redis://HOST:PORT, rediss://..., "
                        + "redis-cluster://H1:P1,H2:P2 or s3://BUCKET?endpoint=URL (got '" + text + "')");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new UsageException("--g4 is not a valid URI: " + e.getMessage());
        }
    }

    private static void endpoint(String option, String text) {
        OptionChecks.endpoint(option, text, false);
    }

    /** Opens the event publisher (when asked for) and adds it and G4 to {@code builder}. */
    void attach(KvBlockManager.Builder builder, ProviderRegistry registry, String modelIdentity) {
        attach(builder, registry, modelIdentity, 0);
    }

    /** As {@link #attach(KvBlockManager.Builder, ProviderRegistry, String)}; events carry {@code dataParallelRank}. */
    void attach(KvBlockManager.Builder builder, ProviderRegistry registry, String modelIdentity, int dataParallelRank) {
        if (events.isPresent()) {
            // The publisher stamps every batch with its own rank: it is the leader's, as the journal's.
            publisher = registry.eventPublisher(ProviderNames.ZMQ).open(new KvEventsConfig(events.get(), eventsReplay, "",
                    KvEventsConfig.DEFAULT_REPLAY_BATCHES, KvEventsConfig.DEFAULT_QUEUE_BATCHES, dataParallelRank, false));
            builder.events(publisher, dataParallelRank);
        }
        g4(modelIdentity).ifPresent(builder::remote);
    }

    /** How a manager (or a worker: its rank names its shard) uses {@code --g4}; empty without it. */
    Optional<RemoteTierConfig> g4(String modelIdentity) {
        return g4.map(uri -> RemoteTierConfig.of(uri, modelIdentity).withWaitWhenFull(true));
    }

    /** The {@code --g4} URI as given, for the worker processes of a replay. */
    Optional<String> g4Uri() {
        return g4.map(URI::toString);
    }

    /** Starts the metrics endpoint of {@code manager} when asked for. */
    void serve(KvBlockManager manager, PrintStream err) {
        if (metricsPort.isPresent()) {
            announce(MetricsSupport.serve(manager, metricsPort.get()), err);
        }
    }

    /** Starts the metrics endpoint of a distributed worker when asked for. */
    void serve(dev.kvbm.core.cluster.Worker worker, PrintStream err) {
        if (metricsPort.isPresent()) {
            announce(MetricsSupport.serve(worker, metricsPort.get()), err);
        }
    }

    private void announce(AutoCloseable endpoint, PrintStream err) {
        metrics = endpoint;
        err.println(command + ": metrics at http://127.0.0.1:" + MetricsSupport.port(metrics) + "/metrics");
        err.flush();
    }

    /** Waits until every event batch is published: the report comes after the run's last batch. */
    void flushEvents() {
        if (publisher != null && !publisher.flush(30_000)) {
            throw new dev.kvbm.api.KvbmException(dev.kvbm.api.ErrorCode.TIMEOUT,
                    "KV event batches were still queued 30 s after the run");
        }
    }

    /** {@code "events": {published, lastSeq, dropped}} when events are on. */
    void writeJson(JsonGenerator g) throws IOException {
        if (publisher != null) {
            g.writeObjectFieldStart("events");
            g.writeNumberField("published", publisher.published());
            g.writeNumberField("lastSeq", publisher.lastSequence());
            g.writeNumberField("dropped", publisher.dropped());
            g.writeEndObject();
        }
    }

    void printText(PrintStream out) {
        if (publisher != null) {
            out.printf("KV events: %,d batch(es) published (last sequence %d), %,d dropped%n", publisher.published(),
                    publisher.lastSequence(), publisher.dropped());
        }
    }

    /** Keeps the endpoints up for {@code --serve-after} seconds (nothing new is published meanwhile). */
    void serveAfter(PrintStream err) {
        if (serveAfterSeconds > 0) {
            err.println(command + ": serving metrics and events for " + serveAfterSeconds + " s");
            try {
                Thread.sleep(serveAfterSeconds * 1000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        if (metrics != null) {
            try {
                metrics.close();
            } catch (Exception e) {
                // the endpoint's server only stops; nothing to report
            }
        }
        if (publisher != null) {
            publisher.close();
        }
    }
}
