package dev.kvbm.engine.jlama.internal;

import com.github.tjake.jlama.model.AbstractModel;
import com.github.tjake.jlama.model.ModelSupport;
import com.github.tjake.jlama.safetensors.Config;
import com.github.tjake.jlama.safetensors.DType;
import com.github.tjake.jlama.tensor.AbstractTensor;
import com.github.tjake.jlama.tensor.KvBufferCache;
import com.github.tjake.jlama.tensor.operations.TensorOperationsProvider;
import com.github.tjake.jlama.util.PhysicalCoreExecutor;
import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.EngineModel;
import dev.kvbm.api.spi.EngineOptions;
import dev.kvbm.api.spi.EngineSequence;
import dev.kvbm.api.spi.KvGeometry;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/** A Jlama model (F32 working memory, so F32 KV) with the KV geometry and identity kvbm needs. */
final class JlamaEngineModel implements EngineModel {

    private static final System.Logger LOG = System.getLogger(JlamaEngineModel.class.getName());

    /** Jlama's working memory type: the type of its activations and of every KvBuffer row. */
    static final DType KV_DTYPE = DType.F32;

    /** Jlama's compute pool is process-wide and sized once; the first model opened fixes its thread count. */
    private static final Object THREADS_LOCK = new Object();

    private final AbstractModel model;
    private final Config config;
    private final KvGeometry geometry;
    private final String identity;
    private final String engine;
    private final int contextTokens;
    /**
     * One forward pass at a time: Jlama 0.8.4's layers keep per-layer scratch arrays (MLPBlock's gate/up results,
     * non-GQA attention's Q/K/V results) that two passes would overwrite for each other. Each pass still uses
     * every compute thread; saves and loads of other sequences run beside it.
     */
    private final ReentrantLock forwardLock = new ReentrantLock();
    private final Set<JlamaSequence> sequences = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private JlamaEngineModel(AbstractModel model, Path folder, int contextTokens) {
        this.model = model;
        this.config = model.getConfig();
        this.contextTokens = contextTokens;
        this.geometry = new KvGeometry(config.numberOfLayers, 2, config.kvLength, KV_DTYPE.size(), "f32");
        checkKvLayout();
        this.identity = ModelIdentity.of(folder, geometry);
        this.engine = "jlama " + JlamaProbe.PINNED_VERSION + " (" + TensorOperationsProvider.get().name() + ")";
    }

    static JlamaEngineModel open(EngineOptions options) {
        Path folder = Files.isDirectory(options.model()) ? options.model() : options.model().getParent();
        if (folder == null || !Files.isRegularFile(folder.resolve(RandomJlamaModel.CONFIG))) {
            throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "model", "model must be a Jlama model folder "
                    + "(config.json, tokenizer.json, model.safetensors); " + options.model() + " has no config.json");
        }
        for (String key : options.options().keySet()) {
            if (key.startsWith("jlama.")) {
                throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "options", "unknown jlama engine option '" + key
                        + "': the jlama connector takes none");
            }
        }
        setThreads(options.threads());
        AbstractModel model;
        try {
            model = ModelSupport.loadModel(folder.toFile(), null, KV_DTYPE, KV_DTYPE, Optional.empty(), Optional.empty());
        } catch (RuntimeException | LinkageError e) {
            throw new KvbmException(ErrorCode.NATIVE_FAILURE, "jlama cannot load the model in " + folder + ": " + e, e);
        }
        int modelContext = model.getConfig().contextLength;
        int usable = usableContext(model.getConfig());
        if (options.contextTokens() > usable) {
            closeQuietly(model);
            throw KvbmException.invalid("contextTokens", options.contextTokens(), "<= " + usable
                    + (usable == modelContext ? " (the model's max_position_embeddings)" : ": the model's "
                    + "max_position_embeddings (" + modelContext + ") less " + (modelContext - usable) + ", because "
                    + "Jlama " + JlamaProbe.PINNED_VERSION + " reads RoPE frequencies 2 x (kvHeads - 1) positions "
                    + "past a token's own and fails beyond its table"));
        }
        try {
            return new JlamaEngineModel(model, folder, options.contextTokens());
        } catch (RuntimeException e) {
            closeQuietly(model);
            throw e;
        }
    }

    /**
     * Tokens Jlama 0.8.4 can compute: its RoPE reads the frequency table at {@code pos * headDim / 2 + h *
     * headDim + j} for KV head {@code h}, so positions within {@code 2 x (kvHeads - 1)} of the end index past
     * it (an ArrayIndexOutOfBoundsException).
     */
    static int usableContext(Config c) {
        return c.contextLength - 2 * (c.numberOfKeyValueHeads - 1);
    }

    private static void setThreads(int threads) {
        int cores = Runtime.getRuntime().availableProcessors();
        if (threads > cores) {
            throw KvbmException.invalid("threads", threads, "in 1.." + cores + " (this machine's processors) for jlama");
        }
        synchronized (THREADS_LOCK) {
            try {
                PhysicalCoreExecutor.overrideThreadCount(threads);
            } catch (IllegalStateException alreadyStarted) {
                int running = PhysicalCoreExecutor.instance.get().getCoreCount();
                if (running != threads) {
                    throw KvbmException.invalid("threads", threads, running + ": Jlama's compute pool is process-wide "
                            + "and an earlier model fixed it at " + running + " threads");
                }
            }
        }
    }

    /**
     * Validates the KV buffer layout this connector copies (pinned Jlama version): F32 rows of
     * {@code kvLength} elements in context pages of {@code ctxPerPage} contiguous rows per layer and
     * component (Jlama sizes pages to 8 MiB; a model whose whole context fits one page gets one row per page).
     */
    private void checkKvLayout() {
        KvBufferCache cache = new KvBufferCache(model);
        try {
            KvBufferCache.KvBuffer kv = cache.getKvBuffer(UUID.randomUUID());
            long rowBytes = (long) geometry.inner() * geometry.dtypeBytes();
            AbstractTensor row = kv.getValTensorForPosition(0, 1);
            AbstractTensor[] pages = kv.getValTensorsUptoPosition(0, 1);
            AbstractTensor page = pages[pages.length - 1];
            int ctxPerPage = page.shape().first();
            MemorySegment p = page.getMemorySegment();
            if (row.dType() != KV_DTYPE || page.dType() != KV_DTYPE || row.getMemorySegment().byteSize() != rowBytes
                    || page.dims() != 2 || page.shape().last() != geometry.inner() || p.byteSize() != ctxPerPage * rowBytes
                    || row.getMemorySegment().address() != p.address() + (1 % ctxPerPage) * rowBytes) {
                throw new KvbmException(ErrorCode.NATIVE_FAILURE, "Jlama's KV buffer does not have the layout of Jlama "
                        + JlamaProbe.PINNED_VERSION + " (row " + row.dType() + " " + row.getMemorySegment().byteSize()
                        + " bytes, page " + page.shape() + "); expected " + KV_DTYPE + " rows of " + rowBytes
                        + " bytes, contiguous within a page");
            }
        } finally {
            cache.close();
        }
    }

    /** Prefills {@code tokens} at {@code start..} into {@code kv}; returns the last position's raw logits. */
    float[] forward(int[] tokens, int start, KvBufferCache.KvBuffer kv) {
        forwardLock.lock();
        try (AbstractTensor out = model.batchForward(tokens, start, kv);
             AbstractTensor logits = model.makeDenseTensor(1, config.vocabularySize)) {
            // sample() at temperature 0 leaves the raw logits (before softmax) in `logits`; getLogits() would softmax.
            model.sample(out.slice(out.shape().first() - 1), 0f, 0f, logits);
            float[] r = new float[config.vocabularySize];
            MemorySegment.copy(logits.getMemorySegment(), ValueLayout.JAVA_FLOAT_UNALIGNED, 0, r, 0, r.length);
            return r;
        } catch (KvbmException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new KvbmException(ErrorCode.NATIVE_FAILURE, "jlama's forward pass over positions " + start + ".."
                    + (start + tokens.length - 1) + " failed: " + e, e);
        } finally {
            forwardLock.unlock();
        }
    }

    KvBufferCache newKvCache() {
        return new KvBufferCache(model);
    }

    void forget(JlamaSequence sequence) {
        sequences.remove(sequence);
    }

    @Override
    public String engine() {
        return engine;
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
        return config.vocabularySize;
    }

    @Override
    public int contextTokens() {
        return contextTokens;
    }

    @Override
    public EngineSequence newSequence() {
        if (closed) {
            throw new KvbmException(ErrorCode.INVALID_STATE, "the jlama model is closed");
        }
        JlamaSequence s = new JlamaSequence(this);
        sequences.add(s);
        return s;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (JlamaSequence s : sequences) {
            s.close();
        }
        closeQuietly(model);
    }

    private static void closeQuietly(AbstractModel model) {
        model.close();
        try {
            model.getWeights().close();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, "closing Jlama's weight files", e);
        }
    }
}
