package dev.kvbm.engine.llamacpp.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.EngineConnector;
import dev.kvbm.api.spi.EngineModel;
import dev.kvbm.api.spi.EngineOptions;
import dev.kvbm.api.spi.RandomModelSpec;
import dev.kvbm.engine.llamacpp.LlamaCppOptions;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code llama.cpp} engine connector: GGUF models run by the pinned llama.cpp build through FFM. The library is
 * probed on first use (folder, package version, symbols, native access) and the cause kept.
 */
public final class LlamaCppConnector implements EngineConnector {
    private final LlamaLibrary.Location location;
    private volatile LlamaLibrary.Probe probe;

    /** The connector over the configured library folder (ServiceLoader). */
    public LlamaCppConnector() {
        this(null);
    }

    /** A connector over {@code location}; null means the configured folder, resolved on first use. */
    LlamaCppConnector(LlamaLibrary.Location location) {
        this.location = location;
    }

    private LlamaLibrary.Probe probe() {
        LlamaLibrary.Probe p = probe;
        if (p == null) {
            p = location == null ? LlamaLibrary.probe() : LlamaLibrary.probe(location);
            probe = p;
        }
        return p;
    }

    @Override
    public String name() {
        return "llama.cpp";
    }

    @Override
    public String description() {
        return "llama.cpp (npm " + LlamaCppOptions.NPM_PACKAGE + "@" + LlamaCppOptions.NPM_VERSION + ", commit "
                + LlamaCppOptions.LLAMA_CPP_COMMIT + ") over FFM: GGUF models, KV moved through the sequence state blob";
    }

    @Override
    public boolean isAvailable() {
        return probe().binding() != null;
    }

    @Override
    public Optional<String> unavailabilityCause() {
        return probe().unavailabilityCause();
    }

    @Override
    public EngineModel open(EngineOptions options) {
        LlamaLibrary.Probe p = probe();
        if (p.binding() == null) {
            throw new KvbmException(ErrorCode.PROVIDER_UNAVAILABLE, "engine llama.cpp is unavailable: " + p.cause());
        }
        return LlamaCppModel.open(p.binding(), options);
    }

    @Override
    public String modelFormat() {
        return "gguf";
    }

    @Override
    public void writeRandomModel(RandomModelSpec spec, Path out) {
        RandomGgufModel.write(spec, out);
    }
}
