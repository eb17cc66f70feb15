package dev.kvbm.engine.llamacpp.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Path;

/**
 * The one binding to llama.cpp's C API ({@code include/llama.h} of llama.cpp commit 80fb11ac, the build in npm
 * {@code @node-llama-cpp/linux-x64@3.21.1}): every {@code downcallHandle} of this module lives here. The library
 * folder is chosen at run time, so a binding is an instance made by {@link #load(Path)}, which fails with the
 * exact reason (flag missing, symbol missing, library not loadable).
 *
 * <p>The struct layouts mirror that header field for field ({@code LlamaCppLayoutTest} checks every offset
 * against gcc); structs passed or returned by value use the same layouts.
 */
@SuppressWarnings("restricted")
final class LlamaCpp {
    static final String MODULE = "dev.kvbm.engine.llamacpp";

    /** {@code enum ggml_type}. */
    static final int GGML_TYPE_F32 = 0;
    static final int GGML_TYPE_F16 = 1;
    /** {@code LLAMA_FLASH_ATTN_TYPE_ENABLED}: V rows stay token-major in the cache and its state blob. */
    static final int FLASH_ATTN_ENABLED = 1;

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT;
    private static final ValueLayout.OfLong SIZE_T = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfBoolean BOOL = ValueLayout.JAVA_BOOLEAN;
    private static final java.lang.foreign.AddressLayout PTR = ValueLayout.ADDRESS;

    /** {@code struct llama_model_params} (80 bytes). */
    static final StructLayout MODEL_PARAMS = MemoryLayout.structLayout(
            PTR.withName("devices"),
            PTR.withName("tensor_buft_overrides"),
            I32.withName("n_gpu_layers"),
            I32.withName("split_mode"),
            I32.withName("load_mode"),
            I32.withName("lazy_mode"),
            I32.withName("main_gpu"),
            MemoryLayout.paddingLayout(4),
            PTR.withName("tensor_split"),
            PTR.withName("progress_callback"),
            PTR.withName("progress_callback_user_data"),
            PTR.withName("kv_overrides"),
            BOOL.withName("vocab_only"),
            BOOL.withName("check_tensors"),
            BOOL.withName("use_extra_bufts"),
            BOOL.withName("no_host"),
            BOOL.withName("no_alloc"),
            BOOL.withName("load_mtp"),
            MemoryLayout.paddingLayout(2)).withName("llama_model_params");

    /** {@code struct llama_context_params} (160 bytes). */
    static final StructLayout CONTEXT_PARAMS = MemoryLayout.structLayout(
            I32.withName("n_ctx"),
            I32.withName("n_batch"),
            I32.withName("n_ubatch"),
            I32.withName("n_seq_max"),
            I32.withName("n_rs_seq"),
            I32.withName("n_outputs_max"),
            I32.withName("n_outputs_max_per_seq"),
            I32.withName("n_threads"),
            I32.withName("n_threads_batch"),
            I32.withName("ctx_type"),
            I32.withName("rope_scaling_type"),
            I32.withName("pooling_type"),
            I32.withName("attention_type"),
            I32.withName("flash_attn_type"),
            F32.withName("rope_freq_base"),
            F32.withName("rope_freq_scale"),
            F32.withName("yarn_ext_factor"),
            F32.withName("yarn_attn_factor"),
            F32.withName("yarn_beta_fast"),
            F32.withName("yarn_beta_slow"),
            I32.withName("yarn_orig_ctx"),
            F32.withName("defrag_thold"),
            PTR.withName("cb_eval"),
            PTR.withName("cb_eval_user_data"),
            I32.withName("type_k"),
            I32.withName("type_v"),
            PTR.withName("abort_callback"),
            PTR.withName("abort_callback_data"),
            BOOL.withName("embeddings"),
            BOOL.withName("offload_kqv"),
            BOOL.withName("no_perf"),
            BOOL.withName("op_offload"),
            BOOL.withName("swa_full"),
            BOOL.withName("kv_unified"),
            MemoryLayout.paddingLayout(2),
            PTR.withName("samplers"),
            SIZE_T.withName("n_samplers"),
            PTR.withName("ctx_other")).withName("llama_context_params");

    /** {@code struct llama_batch} (56 bytes). */
    static final StructLayout BATCH = MemoryLayout.structLayout(
            I32.withName("n_tokens"),
            MemoryLayout.paddingLayout(4),
            PTR.withName("token"),
            PTR.withName("embd"),
            PTR.withName("pos"),
            PTR.withName("n_seq_id"),
            PTR.withName("seq_id"),
            PTR.withName("logits")).withName("llama_batch");

    /** The C structs this binding models, for the layout test. */
    static final GroupLayout[] STRUCTS = {MODEL_PARAMS, CONTEXT_PARAMS, BATCH};

    final Path folder;
    private final MethodHandle backendInit;
    private final MethodHandle loadAllFromPath;
    private final MethodHandle logSet;
    private final MethodHandle printSystemInfo;
    private final MethodHandle modelDefaultParams;
    private final MethodHandle contextDefaultParams;
    private final MethodHandle modelLoadFromFile;
    private final MethodHandle modelFree;
    private final MethodHandle initFromModel;
    private final MethodHandle free;
    private final MethodHandle modelNLayer;
    private final MethodHandle modelNEmbd;
    private final MethodHandle modelNHead;
    private final MethodHandle modelNHeadKv;
    private final MethodHandle modelGetVocab;
    private final MethodHandle vocabNTokens;
    private final MethodHandle nCtx;
    private final MethodHandle nBatch;
    private final MethodHandle batchInit;
    private final MethodHandle batchFree;
    private final MethodHandle decode;
    private final MethodHandle getLogitsIth;
    private final MethodHandle getMemory;
    private final MethodHandle memorySeqRm;
    private final MethodHandle stateSeqGetSize;
    private final MethodHandle stateSeqGetData;
    private final MethodHandle stateSeqSetData;

    private LlamaCpp(Path folder, SymbolLookup lib) {
        this.folder = folder;
        Linker l = Linker.nativeLinker();
        backendInit = h(l, lib, "llama_backend_init", FunctionDescriptor.ofVoid());
        loadAllFromPath = h(l, lib, "ggml_backend_load_all_from_path", FunctionDescriptor.ofVoid(PTR));
        logSet = h(l, lib, "llama_log_set", FunctionDescriptor.ofVoid(PTR, PTR));
        printSystemInfo = h(l, lib, "llama_print_system_info", FunctionDescriptor.of(PTR));
        modelDefaultParams = h(l, lib, "llama_model_default_params", FunctionDescriptor.of(MODEL_PARAMS));
        contextDefaultParams = h(l, lib, "llama_context_default_params", FunctionDescriptor.of(CONTEXT_PARAMS));
        modelLoadFromFile = h(l, lib, "llama_model_load_from_file", FunctionDescriptor.of(PTR, PTR, MODEL_PARAMS));
        modelFree = h(l, lib, "llama_model_free", FunctionDescriptor.ofVoid(PTR));
        initFromModel = h(l, lib, "llama_init_from_model", FunctionDescriptor.of(PTR, PTR, CONTEXT_PARAMS));
        free = h(l, lib, "llama_free", FunctionDescriptor.ofVoid(PTR));
        modelNLayer = h(l, lib, "llama_model_n_layer", FunctionDescriptor.of(I32, PTR));
        modelNEmbd = h(l, lib, "llama_model_n_embd", FunctionDescriptor.of(I32, PTR));
        modelNHead = h(l, lib, "llama_model_n_head", FunctionDescriptor.of(I32, PTR));
        modelNHeadKv = h(l, lib, "llama_model_n_head_kv", FunctionDescriptor.of(I32, PTR));
        modelGetVocab = h(l, lib, "llama_model_get_vocab", FunctionDescriptor.of(PTR, PTR));
        vocabNTokens = h(l, lib, "llama_vocab_n_tokens", FunctionDescriptor.of(I32, PTR));
        nCtx = h(l, lib, "llama_n_ctx", FunctionDescriptor.of(I32, PTR));
        nBatch = h(l, lib, "llama_n_batch", FunctionDescriptor.of(I32, PTR));
        batchInit = h(l, lib, "llama_batch_init", FunctionDescriptor.of(BATCH, I32, I32, I32));
        batchFree = h(l, lib, "llama_batch_free", FunctionDescriptor.ofVoid(BATCH));
        decode = h(l, lib, "llama_decode", FunctionDescriptor.of(I32, PTR, BATCH));
        getLogitsIth = h(l, lib, "llama_get_logits_ith", FunctionDescriptor.of(PTR, PTR, I32));
        getMemory = h(l, lib, "llama_get_memory", FunctionDescriptor.of(PTR, PTR));
        memorySeqRm = h(l, lib, "llama_memory_seq_rm", FunctionDescriptor.of(BOOL, PTR, I32, I32, I32));
        stateSeqGetSize = h(l, lib, "llama_state_seq_get_size", FunctionDescriptor.of(SIZE_T, PTR, I32));
        stateSeqGetData = h(l, lib, "llama_state_seq_get_data", FunctionDescriptor.of(SIZE_T, PTR, PTR, SIZE_T, I32));
        stateSeqSetData = h(l, lib, "llama_state_seq_set_data", FunctionDescriptor.of(SIZE_T, PTR, PTR, SIZE_T, I32));
    }

    private static MethodHandle h(Linker linker, SymbolLookup lib, String name, FunctionDescriptor d) {
        return linker.downcallHandle(lib.find(name).orElseThrow(() -> new IllegalArgumentException(
                "symbol " + name + " not found; the library is not the llama.cpp build this connector is pinned to")), d);
    }

    static String nativeAccessMessage() {
        return "native access is not enabled for module " + MODULE + ": start the JVM with --enable-native-access="
                + MODULE + " (or --enable-native-access=ALL-UNNAMED when kvbm runs on the class path)";
    }

    /**
     * Binds {@code libllama} in {@code folder}, initialises the backend and loads the CPU backend variants from
     * that folder; throws {@link IllegalStateException} saying why it cannot.
     */
    static LlamaCpp load(Path folder, Path library) {
        if (!LlamaCpp.class.getModule().isNativeAccessEnabled()) {
            throw new IllegalStateException(nativeAccessMessage());
        }
        LlamaCpp binding;
        try {
            binding = new LlamaCpp(folder, SymbolLookup.libraryLookup(library, Arena.global()));
        } catch (IllegalCallerException e) {
            throw new IllegalStateException(nativeAccessMessage(), e);
        } catch (IllegalArgumentException | LinkageError e) {
            throw new IllegalStateException("cannot bind llama.cpp from " + library + ": " + e.getMessage(), e);
        }
        binding.start();
        return binding;
    }

    private void start() {
        try (Arena a = Arena.ofConfined()) {
            logSet.invokeExact(LogSink.STUB, MemorySegment.NULL);
            backendInit.invokeExact();
            // The CPU backend is a set of libggml-cpu-<variant>.so files; this picks the best one for this CPU.
            loadAllFromPath.invokeExact(a.allocateFrom(folder.toString()));
        } catch (Throwable t) {
            throw rethrow("llama_backend_init", t);
        }
    }

    private static RuntimeException rethrow(String call, Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        return new IllegalStateException(call + " downcall failed", t);
    }

    /** {@code bytes} of native memory at a pointer llama.cpp handed out (batch arrays, logits), as a sized segment. */
    static MemorySegment sized(MemorySegment pointer, long bytes) {
        return pointer.reinterpret(bytes);
    }

    String systemInfo() {
        try {
            MemorySegment s = (MemorySegment) printSystemInfo.invokeExact();
            return s.equals(MemorySegment.NULL) ? "" : s.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw rethrow("llama_print_system_info", t);
        }
    }

    /** {@code llama_model_default_params()} into {@code arena}. */
    MemorySegment modelDefaultParams(Arena arena) {
        try {
            return (MemorySegment) modelDefaultParams.invokeExact((java.lang.foreign.SegmentAllocator) arena);
        } catch (Throwable t) {
            throw rethrow("llama_model_default_params", t);
        }
    }

    /** {@code llama_context_default_params()} into {@code arena}. */
    MemorySegment contextDefaultParams(Arena arena) {
        try {
            return (MemorySegment) contextDefaultParams.invokeExact((java.lang.foreign.SegmentAllocator) arena);
        } catch (Throwable t) {
            throw rethrow("llama_context_default_params", t);
        }
    }

    /** The model, or {@code NULL} when llama.cpp refuses the file. */
    MemorySegment modelLoadFromFile(Path file, MemorySegment params) {
        try (Arena a = Arena.ofConfined()) {
            return (MemorySegment) modelLoadFromFile.invokeExact(a.allocateFrom(file.toString()), params);
        } catch (Throwable t) {
            throw rethrow("llama_model_load_from_file", t);
        }
    }

    void modelFree(MemorySegment model) {
        try {
            modelFree.invokeExact(model);
        } catch (Throwable t) {
            throw rethrow("llama_model_free", t);
        }
    }

    /** The context, or {@code NULL} when llama.cpp refuses the parameters. */
    MemorySegment initFromModel(MemorySegment model, MemorySegment params) {
        try {
            return (MemorySegment) initFromModel.invokeExact(model, params);
        } catch (Throwable t) {
            throw rethrow("llama_init_from_model", t);
        }
    }

    void free(MemorySegment ctx) {
        try {
            free.invokeExact(ctx);
        } catch (Throwable t) {
            throw rethrow("llama_free", t);
        }
    }

    int modelNLayer(MemorySegment model) {
        return intOf(modelNLayer, "llama_model_n_layer", model);
    }

    int modelNEmbd(MemorySegment model) {
        return intOf(modelNEmbd, "llama_model_n_embd", model);
    }

    int modelNHead(MemorySegment model) {
        return intOf(modelNHead, "llama_model_n_head", model);
    }

    int modelNHeadKv(MemorySegment model) {
        return intOf(modelNHeadKv, "llama_model_n_head_kv", model);
    }

    int vocabNTokens(MemorySegment model) {
        try {
            MemorySegment vocab = (MemorySegment) modelGetVocab.invokeExact(model);
            return (int) vocabNTokens.invokeExact(vocab);
        } catch (Throwable t) {
            throw rethrow("llama_vocab_n_tokens", t);
        }
    }

    int nCtx(MemorySegment ctx) {
        return intOf(nCtx, "llama_n_ctx", ctx);
    }

    int nBatch(MemorySegment ctx) {
        return intOf(nBatch, "llama_n_batch", ctx);
    }

    private static int intOf(MethodHandle handle, String call, MemorySegment arg) {
        try {
            return (int) handle.invokeExact(arg);
        } catch (Throwable t) {
            throw rethrow(call, t);
        }
    }

    /** {@code llama_batch_init(nTokens, 0, nSeqMax)} into {@code arena} (the arrays themselves are malloc'ed). */
    MemorySegment batchInit(Arena arena, int nTokens, int nSeqMax) {
        try {
            return (MemorySegment) batchInit.invokeExact((java.lang.foreign.SegmentAllocator) arena, nTokens, 0,
                    nSeqMax);
        } catch (Throwable t) {
            throw rethrow("llama_batch_init", t);
        }
    }

    void batchFree(MemorySegment batch) {
        try {
            batchFree.invokeExact(batch);
        } catch (Throwable t) {
            throw rethrow("llama_batch_free", t);
        }
    }

    int decode(MemorySegment ctx, MemorySegment batch) {
        try {
            return (int) decode.invokeExact(ctx, batch);
        } catch (Throwable t) {
            throw rethrow("llama_decode", t);
        }
    }

    MemorySegment logitsIth(MemorySegment ctx, int i) {
        try {
            return (MemorySegment) getLogitsIth.invokeExact(ctx, i);
        } catch (Throwable t) {
            throw rethrow("llama_get_logits_ith", t);
        }
    }

    /** {@code llama_memory_seq_rm(llama_get_memory(ctx), seq, p0, p1)}. */
    boolean memorySeqRm(MemorySegment ctx, int seq, int p0, int p1) {
        try {
            MemorySegment memory = (MemorySegment) getMemory.invokeExact(ctx);
            return (boolean) memorySeqRm.invokeExact(memory, seq, p0, p1);
        } catch (Throwable t) {
            throw rethrow("llama_memory_seq_rm", t);
        }
    }

    long stateSeqGetSize(MemorySegment ctx, int seq) {
        try {
            return (long) stateSeqGetSize.invokeExact(ctx, seq);
        } catch (Throwable t) {
            throw rethrow("llama_state_seq_get_size", t);
        }
    }

    long stateSeqGetData(MemorySegment ctx, MemorySegment dst, int seq) {
        try {
            return (long) stateSeqGetData.invokeExact(ctx, dst, dst.byteSize(), seq);
        } catch (Throwable t) {
            throw rethrow("llama_state_seq_get_data", t);
        }
    }

    long stateSeqSetData(MemorySegment ctx, MemorySegment src, int seq) {
        try {
            return (long) stateSeqSetData.invokeExact(ctx, src, src.byteSize(), seq);
        } catch (Throwable t) {
            throw rethrow("llama_state_seq_set_data", t);
        }
    }

    /**
     * llama.cpp's log callback ({@code ggml_log_callback}): its lines go to {@link System.Logger} instead of stderr
     * (errors as WARNING; its warnings, such as the dummy tokens of a
     * vocabulary-less model, and the rest as DEBUG), so a model load does not print pages of text.
     */
    static final class LogSink {
        private static final System.Logger LOG = System.getLogger("dev.kvbm.engine.llamacpp.native");
        private static final int GGML_LOG_LEVEL_ERROR = 4;
        static final MemorySegment STUB;

        static {
            try {
                MethodHandle target = MethodHandles.lookup().findStatic(LogSink.class, "log",
                        MethodType.methodType(void.class, int.class, MemorySegment.class, MemorySegment.class));
                STUB = Linker.nativeLinker().upcallStub(target, FunctionDescriptor.ofVoid(I32, PTR, PTR),
                        Arena.global());
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private LogSink() {
        }

        /** Called from native code: must never throw (an exception in an upcall ends the JVM). */
        private static void log(int level, MemorySegment text, MemorySegment userData) {
            try {
                System.Logger.Level to = level == GGML_LOG_LEVEL_ERROR
                        ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG;
                if (LOG.isLoggable(to) && !text.equals(MemorySegment.NULL)) {
                    String line = text.reinterpret(1 << 16).getString(0).stripTrailing();
                    if (!line.isEmpty()) {
                        LOG.log(to, line);
                    }
                }
            } catch (Throwable ignored) {
                // a lost log line is better than a dead JVM
            }
        }
    }
}
