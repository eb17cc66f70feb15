package dev.kvbm.engine.llamacpp.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.EngineModel;
import dev.kvbm.api.spi.EngineOptions;
import dev.kvbm.api.spi.EngineSequence;
import dev.kvbm.api.spi.KvGeometry;
import dev.kvbm.engine.llamacpp.LlamaCppOptions;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;

/**
 * A GGUF model loaded by llama.cpp. Each sequence owns a llama.cpp context of its own (seq 0 in one unified KV
 * stream; seq 1 only carries padding tokens for the length of one decode call):
 * llama.cpp contexts are not safe to drive from two threads, but contexts of one model are, so sequences run on
 * several threads at once without a lock around the engine. Contexts are pooled: a closed sequence's context is
 * emptied ({@code llama_memory_seq_rm}) and handed to the next {@link #newSequence()}, which saves the set-up of
 * a context (graph reservation) per request.
 *
 * <p>The geometry is read from the engine itself: a context decodes one token at open and its state blob gives
 * the layer count, the KV type and the row size of K and V.
 */
final class LlamaCppModel implements EngineModel {
    private static final System.Logger LOG = System.getLogger(LlamaCppModel.class.getName());
    private static final int MAX_UBATCH = 512;

    private final LlamaCpp llama;
    private final MemorySegment model;
    private final Path file;
    private final int threads;
    private final int contextTokens;
    private final KvType kvType;
    private final int ubatch;
    private final int vocab;
    private final SequenceState.Shape shape;
    private final KvGeometry geometry;
    private final String identity;
    private final Deque<LlamaContext> idle = new ArrayDeque<>();
    private final Set<LlamaCppSequence> open = new HashSet<>();
    private boolean closed;

    private LlamaCppModel(LlamaCpp llama, MemorySegment model, EngineOptions options, KvType kvType, int ubatch) {
        this.llama = llama;
        this.model = model;
        this.file = options.model();
        this.threads = options.threads();
        this.contextTokens = options.contextTokens();
        this.kvType = kvType;
        this.ubatch = ubatch;
        this.vocab = llama.vocabNTokens(model);
        LlamaContext first = newContext();
        try {
            first.decode(new int[] {0}, 0);
            this.shape = SequenceState.discover(first.saveState(), LlamaContext.SEQ);
            first.clear();
        } catch (RuntimeException e) {
            first.free();
            throw e;
        }
        if (shape.ggmlType() != kvType.ggmlType || shape.rowBytes() % kvType.bytes != 0) {
            first.free();
            throw new KvbmException(ErrorCode.NATIVE_FAILURE, "llama.cpp holds KV of type "
                    + KvType.describe(shape.ggmlType()) + " and " + shape.rowBytes() + "-byte rows, asked for "
                    + kvType.optionName());
        }
        this.geometry = new KvGeometry(shape.layers(), 2, (int) (shape.rowBytes() / kvType.bytes), kvType.bytes,
                kvType.optionName());
        try {
            this.identity = identity(file, kvType, geometry);
        } catch (RuntimeException e) {
            first.free();
            throw e;
        }
        idle.push(first);
    }

    static LlamaCppModel open(LlamaCpp llama, EngineOptions options) {
        KvType kvType = KvType.F16;
        int ubatch = LlamaCppOptions.DEFAULT_UBATCH;
        for (var e : options.options().entrySet()) {
            if (e.getKey().equals(LlamaCppOptions.KV_TYPE)) {
                kvType = KvType.fromOption(e.getValue());
            } else if (e.getKey().equals(LlamaCppOptions.UBATCH)) {
                ubatch = ubatch(e.getValue());
            } else {
                throw KvbmException.invalid("option " + e.getKey(), e.getValue(), "a llama.cpp option ("
                        + LlamaCppOptions.KV_TYPE + "=f16|f32, " + LlamaCppOptions.UBATCH + "="
                        + LlamaCppOptions.MIN_UBATCH + ".." + MAX_UBATCH + ")");
            }
        }
        Path file = options.model();
        requireGguf(file);
        MemorySegment model;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment params = llama.modelDefaultParams(a);
            params.set(ValueLayout.JAVA_INT, offset(LlamaCpp.MODEL_PARAMS, "n_gpu_layers"), 0);
            model = llama.modelLoadFromFile(file, params);
        }
        if (model.equals(MemorySegment.NULL)) {
            throw new KvbmException(ErrorCode.NATIVE_FAILURE, "llama.cpp refused model " + file
                    + " (llama_model_load_from_file returned NULL; the dev.kvbm.engine.llamacpp.native log says why)");
        }
        try {
            return new LlamaCppModel(llama, model, options, kvType, ubatch);
        } catch (RuntimeException e) {
            llama.modelFree(model);
            throw e;
        }
    }

    private static int ubatch(String value) {
        try {
            int v = Integer.parseInt(value.strip());
            if (v >= LlamaCppOptions.MIN_UBATCH && v <= MAX_UBATCH) {
                return v;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw KvbmException.invalid(LlamaCppOptions.UBATCH, value, "in " + LlamaCppOptions.MIN_UBATCH + ".." + MAX_UBATCH);
    }

    private static void requireGguf(Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw KvbmException.invalid("model", file, "a readable GGUF file");
        }
        byte[] magic = new byte[4];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(magic, 0, 4) != 4 || magic[0] != 'G' || magic[1] != 'G' || magic[2] != 'U'
                    || magic[3] != 'F') {
                throw KvbmException.invalid("model", file, "a GGUF file (it does not start with GGUF)");
            }
        } catch (IOException e) {
            throw new KvbmException(ErrorCode.IO_ERROR, "cannot read model " + file + ": " + e.getMessage(), e);
        }
    }

    static long offset(java.lang.foreign.GroupLayout layout, String field) {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    private LlamaContext newContext() {
        MemorySegment ctx;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = llama.contextDefaultParams(a);
            var l = LlamaCpp.CONTEXT_PARAMS;
            // n_batch = n_ubatch: each llama_decode call is one micro-batch, cut and padded by LlamaContext.decode;
            // the padding tokens (a second sequence) need cells of their own while they live.
            p.set(ValueLayout.JAVA_INT, offset(l, "n_ctx"), contextTokens + LlamaCppOptions.MIN_UBATCH);
            p.set(ValueLayout.JAVA_INT, offset(l, "n_batch"), ubatch);
            p.set(ValueLayout.JAVA_INT, offset(l, "n_ubatch"), ubatch);
            p.set(ValueLayout.JAVA_INT, offset(l, "n_seq_max"), 2);
            p.set(ValueLayout.JAVA_INT, offset(l, "n_threads"), threads);
            p.set(ValueLayout.JAVA_INT, offset(l, "n_threads_batch"), threads);
            p.set(ValueLayout.JAVA_INT, offset(l, "flash_attn_type"), LlamaCpp.FLASH_ATTN_ENABLED);
            p.set(ValueLayout.JAVA_INT, offset(l, "type_k"), kvType.ggmlType);
            p.set(ValueLayout.JAVA_INT, offset(l, "type_v"), kvType.ggmlType);
            p.set(ValueLayout.JAVA_BOOLEAN, offset(l, "no_perf"), true);
            p.set(ValueLayout.JAVA_BOOLEAN, offset(l, "kv_unified"), true);
            ctx = llama.initFromModel(model, p);
        }
        if (ctx.equals(MemorySegment.NULL)) {
            throw new KvbmException(ErrorCode.NATIVE_FAILURE, "llama.cpp refused a context of " + contextTokens
                    + " tokens, " + threads + " threads, KV " + kvType.optionName()
                    + " (llama_init_from_model returned NULL; the dev.kvbm.engine.llamacpp.native log says why)");
        }
        LlamaContext context = new LlamaContext(llama, ctx, vocab);
        if (context.contextTokens() < contextTokens + LlamaCppOptions.MIN_UBATCH) {
            context.free();
            throw new KvbmException(ErrorCode.NATIVE_FAILURE, "llama.cpp made a context of " + context.contextTokens()
                    + " tokens, asked for " + (contextTokens + LlamaCppOptions.MIN_UBATCH));
        }
        return context;
    }

    private static String identity(Path file, KvType kvType, KvGeometry g) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
            }
            sha.update(("\nkv-type=" + kvType.optionName() + "\ngeometry=" + g.layers() + "x" + g.outer() + "x"
                    + g.inner() + "x" + g.dtypeBytes() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            throw new KvbmException(ErrorCode.IO_ERROR, "cannot read model " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    SequenceState.Shape shape() {
        return shape;
    }

    @Override
    public String engine() {
        return "llama.cpp v0.4.0 (commit " + LlamaCppOptions.LLAMA_CPP_COMMIT + ", npm " + LlamaCppOptions.NPM_PACKAGE
                + "@" + LlamaCppOptions.NPM_VERSION + ")";
    }

    @Override
    public KvGeometry geometry() {
        return geometry;
    }

    @Override
    public String identity() {
        return identity;
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    @Override
    public int contextTokens() {
        return contextTokens;
    }

    @Override
    public EngineSequence newSequence() {
        LlamaContext context;
        synchronized (this) {
            if (closed) {
                throw new KvbmException(ErrorCode.INVALID_STATE, "model " + file + " is closed");
            }
            context = idle.poll();
        }
        if (context == null) {
            context = newContext();
        }
        LlamaCppSequence sequence = new LlamaCppSequence(this, context);
        synchronized (this) {
            if (closed) {
                context.free();
                throw new KvbmException(ErrorCode.INVALID_STATE, "model " + file + " is closed");
            }
            open.add(sequence);
        }
        return sequence;
    }

    /** A closed sequence's context, emptied, back to the pool (or freed when the model is closed). */
    void release(LlamaCppSequence sequence, LlamaContext context) {
        boolean keep;
        synchronized (this) {
            open.remove(sequence);
            keep = !closed;
        }
        if (keep) {
            try {
                context.clear();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "dropping a llama.cpp context that could not be emptied", e);
                context.free();
                return;
            }
            synchronized (this) {
                if (!closed) {
                    idle.push(context);
                    return;
                }
            }
        }
        context.free();
    }

    /** Frees the model and every context; sequences still open are closed (their owners must be done with them). */
    @Override
    public void close() {
        Set<LlamaCppSequence> stillOpen;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            stillOpen = new HashSet<>(open);
        }
        for (LlamaCppSequence s : stillOpen) {
            s.close();
        }
        synchronized (this) {
            for (LlamaContext c : idle) {
                c.free();
            }
            idle.clear();
        }
        llama.modelFree(model);
    }
}
