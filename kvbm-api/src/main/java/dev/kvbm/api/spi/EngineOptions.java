package dev.kvbm.api.spi;

import dev.kvbm.api.KvbmException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * How an engine is opened.
 *
 * @param model         the model file or folder, in the engine's own format (a GGUF file for llama.cpp)
 * @param threads       compute threads of the engine, 1..1024 (1 keeps llama.cpp's logits deterministic)
 * @param contextTokens the longest sequence the engine must hold, 1..1,048,576 tokens
 * @param options       engine-specific options (keys documented by each connector); never null
 */
public record EngineOptions(Path model, int threads, int contextTokens, Map<String, String> options) {

    public EngineOptions {
        Objects.requireNonNull(model, "model");
        if (threads < 1 || threads > 1024) {
            throw KvbmException.invalid("threads", threads, "in 1..1024");
        }
        if (contextTokens < 1 || contextTokens > 1 << 20) {
            throw KvbmException.invalid("contextTokens", contextTokens, "in 1..1048576");
        }
        options = Map.copyOf(options);
    }

    public EngineOptions(Path model, int threads, int contextTokens) {
        this(model, threads, contextTokens, Map.of());
    }
}
