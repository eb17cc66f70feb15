package dev.kvbm.core.hash;

/**
 * Dynamo's block and sequence hashes (XXH3-64, seeded with the salt hash):
 *
 * <ul>
 *   <li>block hash = XXH3-64(tokens as little-endian u32, seed = salt)</li>
 *   <li>sequence hash of the first block = its block hash; of a later block =
 *       XXH3-64(LE u64 parent sequence hash || LE u64 block hash, seed = salt)</li>
 * </ul>
 *
 * Hashes are unsigned 64-bit values held in a {@code long}; print them with {@link #toUnsigned(long)}.
 */
public final class SequenceHashes {

    /** The hasher of the salt asked for last: a process serves one model (one salt) at a time, mostly. */
    private static volatile BlockHasher last = new BlockHasher(0);

    private SequenceHashes() {
    }

    /** The XXH3-64 hasher seeded with {@code salt}; reuse it for many blocks of one salt. */
    public static BlockHasher hasher(long salt) {
        BlockHasher h = last;
        if (h.salt() != salt) {
            h = new BlockHasher(salt); // XXH3 derives its seeded state once per hasher
            last = h;
        }
        return h;
    }

    /**
     * The sequence hashes of the complete blocks of {@code tokens}, hashed where they lie (no copy of the tokens,
     * no block objects): what a request is matched by. The same values as {@link TokenBlockSequence#sequenceHashes()}.
     */
    public static long[] sequenceHashes(int[] tokens, int blockSize, long salt) {
        if (blockSize < 1) {
            throw dev.kvbm.api.KvbmException.invalid("blockSize", blockSize, ">= 1");
        }
        long[] hashes = new long[tokens.length / blockSize];
        chain(hasher(salt), tokens, blockSize, 0, hashes.length, null, hashes, new long[2]);
        return hashes;
    }

    /**
     * Hashes blocks {@code [from, to)} of {@code tokens} into {@code sequenceHashes} (and their block hashes into
     * {@code blockHashes} unless null), chaining from {@code sequenceHashes[from - 1]}; {@code pair} is scratch.
     */
    static void chain(BlockHasher hasher, int[] tokens, int blockSize, int from, int to, long[] blockHashes,
                      long[] sequenceHashes, long[] pair) {
        for (int b = from; b < to; b++) {
            long blockHash = hasher.blockHash(tokens, b * blockSize, (b + 1) * blockSize);
            if (blockHashes != null) {
                blockHashes[b] = blockHash;
            }
            sequenceHashes[b] = b == 0 ? blockHash : hasher.sequenceHash(sequenceHashes[b - 1], blockHash, pair);
        }
    }

    /** The block hash of {@code tokens[from, to)}. */
    public static long blockHash(int[] tokens, int from, int to, long salt) {
        return hasher(salt).blockHash(tokens, from, to);
    }

    /** The block hash of {@code tokens[from, to)} with a hasher from {@link #hasher(long)}. */
    public static long blockHash(BlockHasher hasher, int[] tokens, int from, int to) {
        return hasher.blockHash(tokens, from, to);
    }

    /** The block hash of all of {@code tokens}. */
    public static long blockHash(int[] tokens, long salt) {
        return blockHash(tokens, 0, tokens.length, salt);
    }

    /** The sequence hash of a block whose parent block has sequence hash {@code parentSequenceHash}. */
    public static long sequenceHash(long parentSequenceHash, long blockHash, long salt) {
        return hasher(salt).sequenceHash(parentSequenceHash, blockHash);
    }

    /** As {@link #sequenceHash(long, long, long)} with a hasher from {@link #hasher(long)}. */
    public static long sequenceHash(BlockHasher hasher, long parentSequenceHash, long blockHash) {
        return hasher.sequenceHash(parentSequenceHash, blockHash);
    }

    /** An unsigned decimal rendering, as Dynamo prints its u64 hashes. */
    public static String toUnsigned(long hash) {
        return Long.toUnsignedString(hash);
    }

    /** Parses an unsigned decimal u64. */
    public static long parseUnsigned(String text) {
        return Long.parseUnsignedLong(text);
    }
}
