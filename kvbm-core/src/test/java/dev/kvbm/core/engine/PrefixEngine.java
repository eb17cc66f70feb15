package dev.kvbm.core.engine;

import dev.kvbm.api.spi.EngineModel;
import dev.kvbm.api.spi.EngineSequence;
import dev.kvbm.api.spi.KvGeometry;
import dev.kvbm.api.spi.KvPages;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in engine whose KV behaves like a transformer's where it matters for reuse: each token's KV
 * rows depend on the token and on the previous token's KV (so on the whole prefix), the next token is
 * computed from the stored KV alone, and the logits depend on every row. Restored KV gives the same
 * logits as recomputing exactly when every byte came back right.
 */
final class PrefixEngine implements EngineModel {
    static final int LAYERS = 2;
    static final int INNER = 8;
    static final int VOCAB = 32;
    final AtomicLong computedTokens = new AtomicLong();
    private final String identity;
    private final int inner;

    PrefixEngine(String identity) {
        this(identity, INNER);
    }

    PrefixEngine(String identity, int inner) {
        this.identity = identity;
        this.inner = inner;
    }

    @Override
    public String engine() {
        return "prefix-test-engine";
    }

    @Override
    public KvGeometry geometry() {
        return new KvGeometry(LAYERS, 2, inner, 4, "i32");
    }

    @Override
    public String identity() {
        return identity;
    }

    @Override
    public int vocabSize() {
        return VOCAB;
    }

    @Override
    public int contextTokens() {
        return 4096;
    }

    @Override
    public EngineSequence newSequence() {
        return new Sequence();
    }

    @Override
    public void close() {
    }

    static int mix(int state, int value) {
        int h = (state ^ value) * 0x9E3779B1;
        return h ^ (h >>> 15);
    }

    final class Sequence implements EngineSequence {
        /** rows.get(position)[layer][outer][i] */
        private final List<int[][][]> rows = new ArrayList<>();

        @Override
        public int length() {
            return rows.size();
        }

        @Override
        public float[] decode(int[] tokens) {
            for (int token : tokens) {
                int previous = rows.isEmpty() ? 17 : rows.getLast()[LAYERS - 1][1][inner - 1];
                int[][][] row = new int[LAYERS][2][inner];
                int state = mix(previous, token);
                for (int l = 0; l < LAYERS; l++) {
                    for (int o = 0; o < 2; o++) {
                        for (int i = 0; i < inner; i++) {
                            state = mix(state, l * 1000 + o * 100 + i);
                            row[l][o][i] = state;
                        }
                    }
                }
                rows.add(row);
                computedTokens.incrementAndGet();
            }
            float[] logits = new float[VOCAB];
            int acc = 5;
            for (int[][][] row : rows) {
                acc = mix(acc, row[0][0][0] ^ row[LAYERS - 1][1][inner - 1]);
            }
            for (int v = 0; v < VOCAB; v++) {
                logits[v] = (mix(acc, v) & 0xFFFF) / 65536f;
            }
            return logits;
        }

        @Override
        public void save(int firstBlock, KvPages target) {
            int page = target.pageSize();
            for (int b = 0; b < target.count(); b++) {
                for (int l = 0; l < LAYERS; l++) {
                    for (int o = 0; o < 2; o++) {
                        MemorySegment region = target.region(b, l, o);
                        for (int t = 0; t < page; t++) {
                            int[] values = rows.get((firstBlock + b) * page + t)[l][o];
                            for (int i = 0; i < inner; i++) {
                                region.setAtIndex(ValueLayout.JAVA_INT, (long) t * inner + i, values[i]);
                            }
                        }
                    }
                }
            }
        }

        @Override
        public void load(KvPages source) {
            if (!rows.isEmpty()) {
                throw new IllegalStateException("not empty");
            }
            int page = source.pageSize();
            for (int b = 0; b < source.count(); b++) {
                for (int t = 0; t < page; t++) {
                    int[][][] row = new int[LAYERS][2][inner];
                    for (int l = 0; l < LAYERS; l++) {
                        for (int o = 0; o < 2; o++) {
                            MemorySegment region = source.region(b, l, o);
                            for (int i = 0; i < inner; i++) {
                                row[l][o][i] = region.getAtIndex(ValueLayout.JAVA_INT, (long) t * inner + i);
                            }
                        }
                    }
                    rows.add(row);
                }
            }
        }

        @Override
        public void clear() {
            rows.clear();
        }

        @Override
        public void close() {
            rows.clear();
        }
    }
}
