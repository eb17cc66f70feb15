package dev.kvbm.core.engine;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.spi.EngineModel;
import dev.kvbm.api.spi.EngineSequence;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.core.hash.SequenceHashes;
import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.manager.PreparedRequest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * An inference engine serving requests on a {@link KvBlockManager}: for each prompt, the longest cached
 * prefix is found across the tiers and onboarded into G1, handed to the engine, the engine computes the
 * rest, and the fresh full blocks are saved into G1 and committed (offloaded down the tiers in the
 * background). Thread-safe: many requests may be served at once, each on its own thread with its own
 * {@link EngineSequence}.
 *
 * <p>Blocks are keyed with a salt that mixes the caller's salt with the model's identity (its bytes, KV
 * type and geometry), so two models never share a block.
 */
public final class ServingSession {
    private final KvBlockManager manager;
    private final EngineModel model;
    private final PhysicalLayout g1;
    private final int pageSize;
    private final long salt;

    private ServingSession(KvBlockManager manager, EngineModel model, long userSalt) {
        this.manager = manager;
        this.model = model;
        this.g1 = manager.tier(Tier.G1).layout().orElseThrow(() -> new KvbmException(ErrorCode.INVALID_CONFIG,
                "an engine session needs G1's bytes in this process; this manager's tiers are logical (held by workers)"));
        G1Pages.requireHostAddressable(g1);
        LayoutConfig geometry = g1.layout().config();
        model.geometry().requireMatches(geometry);
        this.pageSize = geometry.pageSize();
        this.salt = saltOf(model.identity(), userSalt);
    }

    /**
     * A session of {@code model} on {@code manager}; refused when G1's block geometry does not hold the
     * model's KV (the message names every field that differs) or G1 is not host memory.
     */
    public static ServingSession open(KvBlockManager manager, EngineModel model, long userSalt) {
        return new ServingSession(manager, model, userSalt);
    }

    /** The salt blocks of this model are hashed with: {@code userSalt} mixed with the model's identity. */
    public static long saltOf(String modelIdentity, long userSalt) {
        return SequenceHashes.hasher(userSalt).hashBytes(modelIdentity.getBytes(StandardCharsets.UTF_8));
    }

    public long salt() {
        return salt;
    }

    public int pageSize() {
        return pageSize;
    }

    public EngineModel model() {
        return model;
    }

    public KvBlockManager manager() {
        return manager;
    }

    /** The sequence hashes of the prompt's full blocks under this session's salt. */
    public long[] sequenceHashes(int[] prompt) {
        return SequenceHashes.sequenceHashes(prompt, pageSize, salt);
    }

    /**
     * Serves one prompt on {@code sequence}, which must be empty: reuses what kvbm holds, computes the rest,
     * saves the fresh full blocks. Returns the logits of the prompt's last position.
     */
    public ServedRequest serve(EngineSequence sequence, int[] prompt) {
        if (prompt.length == 0) {
            throw KvbmException.invalid("prompt", "0 tokens", "at least 1 token");
        }
        if (prompt.length > model.contextTokens()) {
            throw KvbmException.invalid("prompt", prompt.length + " tokens", "at most the engine's context of "
                    + model.contextTokens() + " tokens");
        }
        if (sequence.length() != 0) {
            throw new KvbmException(ErrorCode.INVALID_STATE, "the engine sequence must be empty (it holds "
                    + sequence.length() + " tokens): every reused token comes from kvbm");
        }
        long start = System.nanoTime();
        long[] hashes = sequenceHashes(prompt);
        // At least one token is computed: a prompt of whole blocks reuses at most all but its last block.
        int reuseLimit = (prompt.length - 1) / pageSize;
        try (PreparedRequest p = manager.prepare(hashes, Math.min(reuseLimit, hashes.length), prompt)) {
            int reused = p.cachedPrefix();
            long loaded = System.nanoTime();
            if (reused > 0) {
                sequence.load(new G1Pages(g1, blockIds(p, 0, reused)));
            }
            long prefilled = System.nanoTime();
            float[] logits = sequence.decode(Arrays.copyOfRange(prompt, reused * pageSize, prompt.length));
            long firstToken = System.nanoTime();
            int saved = 0;
            int i = reused;
            while (i < hashes.length) {
                if (!p.isFresh(i)) {
                    i++;
                    continue;
                }
                int end = i;
                while (end < hashes.length && p.isFresh(end)) {
                    end++;
                }
                sequence.save(i, new G1Pages(g1, blockIds(p, i, end)));
                saved += end - i;
                i = end;
            }
            manager.commit(p);
            long done = System.nanoTime();
            Map<Tier, Integer> hits = new EnumMap<>(Tier.class);
            for (Tier t : Tier.values()) { // G4 too: it is not among the local tiers
                hits.put(t, p.hits(t));
            }
            return new ServedRequest(logits, prompt.length, hashes.length, reused, hits, saved, p.checksumFailures(),
                    p.copyNanos(), prefilled - loaded, firstToken - prefilled, done - firstToken, firstToken - start);
        }
    }

    private static int[] blockIds(PreparedRequest p, int from, int to) {
        int[] ids = new int[to - from];
        for (int i = from; i < to; i++) {
            ids[i - from] = p.g1BlockId(i);
        }
        return ids;
    }
}
