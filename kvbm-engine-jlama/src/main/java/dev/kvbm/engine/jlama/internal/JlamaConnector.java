package dev.kvbm.engine.jlama.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.EngineConnector;
import dev.kvbm.api.spi.EngineModel;
import dev.kvbm.api.spi.EngineOptions;
import dev.kvbm.api.spi.RandomModelSpec;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code jlama} engine connector. Touches no Jlama class until {@link #open}: the registry lists it,
 * and {@link #writeRandomModel} works, where Jlama cannot run.
 */
public final class JlamaConnector implements EngineConnector {

    public static final String NAME = "jlama";
    public static final String FORMAT = "jlama";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Jlama " + JlamaProbe.PINNED_VERSION + " (pure Java, native SIMD where jlama-native loads), on the class "
                + "path: KV rows copied between its KvBuffer and kvbm blocks";
    }

    @Override
    public boolean isAvailable() {
        return JlamaProbe.cause().isEmpty();
    }

    @Override
    public Optional<String> unavailabilityCause() {
        return JlamaProbe.cause();
    }

    @Override
    public EngineModel open(EngineOptions options) {
        Objects.requireNonNull(options, "options");
        Optional<String> cause = JlamaProbe.cause();
        if (cause.isPresent()) {
            throw KvbmException.forField(ErrorCode.PROVIDER_UNAVAILABLE, "engine", "jlama is unavailable: " + cause.get());
        }
        return JlamaEngineModel.open(options);
    }

    @Override
    public String modelFormat() {
        return FORMAT;
    }

    @Override
    public void writeRandomModel(RandomModelSpec spec, Path out) {
        RandomJlamaModel.write(Objects.requireNonNull(spec, "spec"), Objects.requireNonNull(out, "out"));
    }
}
