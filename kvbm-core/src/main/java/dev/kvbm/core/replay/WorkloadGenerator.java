package dev.kvbm.core.replay;

import dev.kvbm.api.KvbmException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A reproducible multi-turn chat workload: a few shared system prompts, many conversations that each
 * start from one of them and grow turn by turn (every turn resends the whole history plus the new
 * message), interleaved in time. Block ids are prefix hashes: equal ids at the same place mean the
 * same cached prefix.
 */
public final class WorkloadGenerator {

    /**
     * @param conversations     concurrent conversations over the run
     * @param turns             turns per conversation (each a request)
     * @param systemPrompts     distinct shared system prompts
     * @param systemBlocks      blocks of each system prompt
     * @param turnBlocksMax     most new blocks a turn adds (user message + previous answer), at least 1
     */
    public record Shape(int conversations, int turns, int systemPrompts, int systemBlocks, int turnBlocksMax) {
        public Shape {
            positive("conversations", conversations);
            positive("turns", turns);
            positive("systemPrompts", systemPrompts);
            positive("systemBlocks", systemBlocks);
            positive("turnBlocksMax", turnBlocksMax);
        }

        private static void positive(String field, int v) {
            if (v < 1) {
                throw KvbmException.invalid(field, v, ">= 1");
            }
        }

        /** The longest request this shape can produce, in blocks. */
        public int maxRequestBlocks() {
            return systemBlocks + turns * turnBlocksMax;
        }
    }

    /** The default workload: 9,600 requests, about 520k blocks, 43k of them distinct. */
    public static final Shape DEFAULT = new Shape(300, 20, 8, 16, 8);

    private WorkloadGenerator() {
    }

    public static List<TraceRequest> generate(Shape shape, long seed, int blockTokens) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long nextId = 0;
        long[][] system = new long[shape.systemPrompts()][shape.systemBlocks()];
        for (long[] prompt : system) {
            for (int b = 0; b < prompt.length; b++) {
                prompt[b] = nextId++;
            }
        }
        // Each conversation's history, and the time of its next turn.
        long[][] history = new long[shape.conversations()][];
        long[] nextTime = new long[shape.conversations()];
        int[] turnsLeft = new int[shape.conversations()];
        for (int c = 0; c < history.length; c++) {
            history[c] = system[rnd.nextInt(system.length)].clone();
            nextTime[c] = rnd.nextLong(60_000);
            turnsLeft[c] = shape.turns();
        }
        List<TraceRequest> requests = new ArrayList<>();
        while (true) {
            int c = -1;
            for (int k = 0; k < history.length; k++) {
                if (turnsLeft[k] > 0 && (c < 0 || nextTime[k] < nextTime[c])) {
                    c = k;
                }
            }
            if (c < 0) {
                break;
            }
            int added = 1 + rnd.nextInt(shape.turnBlocksMax());
            long[] grown = java.util.Arrays.copyOf(history[c], history[c].length + added);
            for (int b = history[c].length; b < grown.length; b++) {
                grown[b] = nextId++;
            }
            history[c] = grown;
            requests.add(new TraceRequest(nextTime[c], (long) grown.length * blockTokens, 64L + rnd.nextInt(448),
                    grown));
            nextTime[c] += 5_000 + rnd.nextLong(30_000);
            turnsLeft[c]--;
        }
        return requests;
    }
}
