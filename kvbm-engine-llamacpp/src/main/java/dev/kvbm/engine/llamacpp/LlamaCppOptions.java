package dev.kvbm.engine.llamacpp;

/**
 * Configuration of the llama.cpp connector, in one place.
 *
 * <ul>
 *   <li>{@value #LIBRARY_DIR_PROPERTY} (system property), else {@value #LIBRARY_DIR_ENV} (environment): the folder
 *       holding {@code libllama.v0.4.0.so}, the {@code libggml*.so} files and the npm package's {@code package.json};
 *       by default the {@code llama.cpp} folder next to this module's jar.</li>
 *   <li>Engine option {@value #KV_TYPE} ({@code EngineOptions.options()}): the KV cache element type,
 *       {@code f16} (llama.cpp's default, the default here) or {@code f32}.</li>
 *   <li>Engine option {@value #UBATCH} ({@value #MIN_UBATCH}..512, default {@value #DEFAULT_UBATCH}): tokens per
 *       llama.cpp micro-batch. llama.cpp's CPU flash attention computes batches of 64 queries or more with a tiled
 *       kernel and smaller ones row by row; the two round differently. Each kernel gives a token the same bits
 *       whatever else is in its batch, so every micro-batch is made at least 64 queries long (a shorter piece is
 *       padded with throw-away tokens of a second sequence, dropped right after): every token then takes the tiled
 *       kernel, and logits after reusing KV from kvbm equal a full recompute bit for bit.</li>
 * </ul>
 */
public final class LlamaCppOptions {
    /** System property naming the library folder. */
    public static final String LIBRARY_DIR_PROPERTY = "kvbm.llamacpp.library.dir";
    /** Environment variable naming the library folder. */
    public static final String LIBRARY_DIR_ENV = "KVBM_LLAMACPP_LIBRARY_DIR";
    /** The npm package the library comes from, and its pinned version. */
    public static final String NPM_PACKAGE = "@node-llama-cpp/linux-x64";
    public static final String NPM_VERSION = "3.21.1";
    /** The llama.cpp source that build was made from. */
    public static final String LLAMA_CPP_COMMIT = "80fb11ac";
    /** Engine option: KV cache element type, {@code f16} or {@code f32}. */
    public static final String KV_TYPE = "kv-type";
    /** Engine option: tokens per llama.cpp micro-batch. */
    public static final String UBATCH = "ubatch";
    public static final int DEFAULT_UBATCH = 512;
    /** llama.cpp's tiled flash-attention kernel takes batches of this many queries or more. */
    public static final int MIN_UBATCH = 64;

    private LlamaCppOptions() {
    }
}
