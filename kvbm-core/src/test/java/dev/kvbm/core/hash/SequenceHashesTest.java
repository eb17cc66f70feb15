package dev.kvbm.core.hash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.KvbmException;
import java.util.List;
import java.util.OptionalLong;
import net.openhft.hashing.LongHashFunction;
import org.junit.jupiter.api.Test;

class SequenceHashesTest {

    @Test
    void xxh3MatchesTheReferenceVectorForEmptyInput() {
        // XXH3_64bits("", seed 0) = 0x2D06800538D394C2, from xxHash's own sanity checks.
        assertEquals(0x2D06800538D394C2L, LongHashFunction.xx3(0).hashBytes(new byte[0]));
    }

    @Test
    void blockHashMatchesDynamo() {
        // Dynamo: tokens [1,2,3,4] with salt 1337 hash to 14643705804678351452.
        long h = SequenceHashes.blockHash(new int[] {1, 2, 3, 4}, 1337);
        assertEquals("14643705804678351452", SequenceHashes.toUnsigned(h));
        assertTrue(h < 0, "the value exceeds 2^63 and must be handled as unsigned");
        assertEquals(h, SequenceHashes.parseUnsigned("14643705804678351452"));
    }

    @Test
    void blockHashReadsTokensAsLittleEndianU32() {
        byte[] le = {1, 0, 0, 0, 2, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
        assertEquals(LongHashFunction.xx3(7).hashBytes(le), SequenceHashes.blockHash(new int[] {1, 2, -1}, 7));
    }

    @Test
    void sequenceHashChainsParentThenBlockAsLittleEndianU64() {
        long parent = 0x0102030405060708L;
        long block = 0x1112131415161718L;
        byte[] bytes = {8, 7, 6, 5, 4, 3, 2, 1, 0x18, 0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11};
        assertEquals(LongHashFunction.xx3(99).hashBytes(bytes), SequenceHashes.sequenceHash(parent, block, 99));
    }

    @Test
    void sequenceSplitsIntoCompleteBlocksAndAPartialTail() {
        int[] tokens = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        TokenBlockSequence seq = TokenBlockSequence.of(tokens, 4, 1337);
        List<TokenBlock> blocks = seq.blocks();
        assertEquals(2, blocks.size());
        assertArrayEquals(new int[] {9, 10}, seq.partialTokens());
        assertEquals(10, seq.totalTokens());

        TokenBlock first = blocks.get(0);
        assertEquals(SequenceHashes.blockHash(new int[] {1, 2, 3, 4}, 1337), first.blockHash());
        assertEquals(first.blockHash(), first.sequenceHash(), "the first block's sequence hash is its block hash");
        assertEquals(OptionalLong.empty(), first.parentSequenceHash());

        TokenBlock second = blocks.get(1);
        long secondBlockHash = SequenceHashes.blockHash(new int[] {5, 6, 7, 8}, 1337);
        assertEquals(secondBlockHash, second.blockHash());
        assertEquals(SequenceHashes.sequenceHash(first.sequenceHash(), secondBlockHash, 1337), second.sequenceHash());
        assertEquals(OptionalLong.of(first.sequenceHash()), second.parentSequenceHash());
        assertEquals(1, second.position());
        assertArrayEquals(new long[] {first.sequenceHash(), second.sequenceHash()}, seq.sequenceHashes());
    }

    @Test
    void anExactlyFullInputCommitsEveryBlockAndLeavesAnEmptyTail() {
        TokenBlockSequence seq = TokenBlockSequence.of(new int[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 0);
        assertEquals(2, seq.blocks().size());
        assertEquals(0, seq.partialTokens().length);
    }

    /** The in-place chain gives what the public one-block functions give, block by block, and blocks() is a live view. */
    @Test
    void inPlaceHashingMatchesTheOneBlockFunctionsAndBlocksAreMadeOnDemand() {
        java.util.Random random = new java.util.Random(3);
        for (int blockSize : new int[] {1, 3, 16, 32, 64}) {
            int[] tokens = random.ints(blockSize * 10 - 1, 0, 128_000).toArray(); // 9 blocks and a partial one
            long salt = random.nextLong();
            TokenBlockSequence seq = new TokenBlockSequence(blockSize, salt);
            List<TokenBlock> view = seq.blocks();
            seq.extend(java.util.Arrays.copyOfRange(tokens, 0, blockSize * 4 + 1));
            seq.extend(java.util.Arrays.copyOfRange(tokens, blockSize * 4 + 1, tokens.length));
            assertEquals(9, view.size(), "the view follows the sequence");
            long parent = 0;
            for (int b = 0; b < 9; b++) {
                long blockHash = SequenceHashes.blockHash(tokens, b * blockSize, (b + 1) * blockSize, salt);
                long expected = b == 0 ? blockHash : SequenceHashes.sequenceHash(parent, blockHash, salt);
                assertEquals(expected, seq.sequenceHashes()[b], "block " + b + " of size " + blockSize);
                TokenBlock block = view.get(b);
                assertEquals(blockHash, block.blockHash());
                assertEquals(expected, block.sequenceHash());
                assertEquals(b == 0 ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(parent),
                        block.parentSequenceHash());
                assertArrayEquals(java.util.Arrays.copyOfRange(tokens, b * blockSize, (b + 1) * blockSize), block.tokens());
                assertEquals(view.get(b), block, "made again, equal");
                parent = expected;
            }
            assertArrayEquals(seq.sequenceHashes(), SequenceHashes.sequenceHashes(tokens, blockSize, salt),
                    "the one-shot function hashes the same chain");
            assertArrayEquals(java.util.Arrays.copyOfRange(tokens, blockSize * 9, tokens.length), seq.partialTokens());
            assertEquals(tokens.length, seq.totalTokens());
            assertThrows(IndexOutOfBoundsException.class, () -> view.get(9));
        }
    }

    @Test
    void extendingInPiecesGivesTheSameHashesAsAtOnce() {
        int[] tokens = new int[37];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = i * 7919;
        }
        TokenBlockSequence whole = TokenBlockSequence.of(tokens, 8, 42);
        TokenBlockSequence pieces = new TokenBlockSequence(8, 42);
        assertEquals(0, pieces.extend(java.util.Arrays.copyOfRange(tokens, 0, 5)));
        assertEquals(2, pieces.extend(java.util.Arrays.copyOfRange(tokens, 5, 17)));
        assertEquals(2, pieces.extend(java.util.Arrays.copyOfRange(tokens, 17, 37)));
        assertArrayEquals(whole.sequenceHashes(), pieces.sequenceHashes());
        assertArrayEquals(whole.partialTokens(), pieces.partialTokens());
    }

    @Test
    void saltChangesEveryHashAndPrefixesShareHashes() {
        int[] a = {1, 2, 3, 4, 5, 6, 7, 8};
        int[] b = {1, 2, 3, 4, 9, 9, 9, 9};
        TokenBlockSequence sa = TokenBlockSequence.of(a, 4, 0);
        TokenBlockSequence sb = TokenBlockSequence.of(b, 4, 0);
        assertEquals(sa.sequenceHashes()[0], sb.sequenceHashes()[0]);
        assertNotEquals(sa.sequenceHashes()[1], sb.sequenceHashes()[1]);
        assertNotEquals(sa.sequenceHashes()[0], TokenBlockSequence.of(a, 4, 1).sequenceHashes()[0]);
    }

    @Test
    void sameBlockAtAnotherPositionHasAnotherSequenceHash() {
        TokenBlockSequence seq = TokenBlockSequence.of(new int[] {5, 5, 5, 5, 5, 5, 5, 5}, 4, 0);
        assertEquals(seq.blocks().get(0).blockHash(), seq.blocks().get(1).blockHash());
        assertNotEquals(seq.blocks().get(0).sequenceHash(), seq.blocks().get(1).sequenceHash());
    }

    @Test
    void blockSizeMustBePositive() {
        assertEquals("blockSize must be >= 1 (got 0)",
                assertThrows(KvbmException.class, () -> new TokenBlockSequence(0, 0)).getMessage());
    }
}
