import dev.kvbm.engine.llamacpp.internal.LlamaCppConnector;

/**
 * The llama.cpp engine connector of kvbm ({@code llama.cpp}, model format {@code gguf}): FFM bindings to llama.cpp's
 * C API from the pinned npm build {@code @node-llama-cpp/linux-x64@3.21.1} (fetched by the build with the machine's
 * npm; found at run time in {@code -Dkvbm.llamacpp.library.dir}, {@code $KVBM_LLAMACPP_LIBRARY_DIR} or the
 * {@code llama.cpp} folder next to this jar), the sequence state blob of that version parsed, validated and cut into
 * kvbm blocks, and a pure-Java GGUF v3 writer for random Llama-architecture models.
 *
 * <p>JVM flag: {@code --enable-native-access=dev.kvbm.engine.llamacpp}. Engine options: see
 * {@link dev.kvbm.engine.llamacpp.LlamaCppOptions}.
 */
module dev.kvbm.engine.llamacpp {
    requires transitive dev.kvbm.api;

    exports dev.kvbm.engine.llamacpp;

    provides dev.kvbm.api.spi.EngineConnector with LlamaCppConnector;
}
