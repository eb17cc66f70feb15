package dev.kvbm.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.BlockNamespace;
import dev.kvbm.api.spi.RemoteBlockStore;
import dev.kvbm.api.spi.RemoteStoreStats;
import dev.kvbm.api.spi.RemoteValueFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of a G4 tier's {@link RemoteBlockStore}, run against a real store: byte-exact round trips
 * (one page or many), write-once, batched presence, eviction as a miss, and refused values (garbage, a
 * torn payload, another namespace) as counted misses that are deleted and can be written again.
 *
 * <p>A module extends it with a store on an empty server and the means to evict and to write raw values.
 */
public abstract class RemoteTierContract {
    /** Bytes of one block in the contract's namespace: 4 pages of 16 KiB. */
    protected static final int PAGE_BYTES = 16 * 1024;
    protected static final int PAGES = 4;
    protected static final long BLOCK_BYTES = (long) PAGE_BYTES * PAGES;

    private Arena arena;
    private final List<RemoteBlockStore> opened = new ArrayList<>();

    /** A store of {@code namespace} on the module's server; the contract closes it. */
    protected abstract RemoteBlockStore openStore(BlockNamespace namespace);

    /** Makes the server drop every value, as its eviction would (FLUSHALL, an LRU under maxmemory, a purge). */
    protected abstract void evictAll();

    /** Writes {@code value} under {@code key} bypassing the format (a foreign writer, a corruption). */
    protected abstract void writeRaw(String key, byte[] value);

    /** The raw value under {@code key}, or null. */
    protected abstract byte[] readRaw(String key);

    protected BlockNamespace namespace(long fingerprint, int rank) {
        return new BlockNamespace("tck", fingerprint, rank, BLOCK_BYTES);
    }

    @BeforeEach
    void openArena() {
        arena = Arena.ofShared();
    }

    @AfterEach
    void closeAll() {
        opened.forEach(RemoteBlockStore::close);
        opened.clear();
        arena.close();
    }

    private RemoteBlockStore store(BlockNamespace ns) {
        RemoteBlockStore s = openStore(ns);
        opened.add(s);
        return s;
    }

    private List<MemorySegment> pages(int count, long bytesEach) {
        List<MemorySegment> pages = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            pages.add(arena.allocate(bytesEach, 64));
        }
        return pages;
    }

    private List<MemorySegment> randomBlock(long seed, int count) {
        List<MemorySegment> block = pages(count, BLOCK_BYTES / count);
        SplittableRandom r = new SplittableRandom(seed);
        for (MemorySegment p : block) {
            for (long off = 0; off < p.byteSize(); off += 8) {
                p.set(ValueLayout.JAVA_LONG_UNALIGNED, off, r.nextLong());
            }
        }
        return block;
    }

    private static byte[] bytes(List<MemorySegment> pages) {
        byte[] out = new byte[(int) RemoteValueFormat.payloadLength(pages)];
        int off = 0;
        for (MemorySegment p : pages) {
            MemorySegment.copy(p, ValueLayout.JAVA_BYTE, 0, out, off, (int) p.byteSize());
            off += (int) p.byteSize();
        }
        return out;
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> f) {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("remote operation failed", e);
        }
    }

    @Test
    void roundTripsAreByteExactWhateverThePageSplit() {
        RemoteBlockStore s = store(namespace(1, 0));
        for (int pagesOfBlock : new int[] {1, PAGES, 16}) {
            long hash = 0x1000L + pagesOfBlock;
            List<MemorySegment> written = randomBlock(hash, pagesOfBlock);
            assertTrue(await(s.putIfAbsent(hash, written)), "first write of a block is stored");
            // Read back split differently: the payload is one byte string, whatever the pages.
            List<MemorySegment> read = pages(pagesOfBlock == 1 ? PAGES : 1, pagesOfBlock == 1 ? PAGE_BYTES : BLOCK_BYTES);
            assertTrue(await(s.get(hash, read)), "a stored block is a hit");
            assertArrayEquals(bytes(written), bytes(read), "bytes read back equal bytes written");
        }
        assertEquals(3, s.stats().hits());
        assertEquals(3, s.stats().puts());
    }

    @Test
    void writesAreWriteOnce() {
        RemoteBlockStore s = store(namespace(2, 0));
        List<MemorySegment> first = randomBlock(1, PAGES);
        List<MemorySegment> second = randomBlock(2, PAGES);
        assertTrue(await(s.putIfAbsent(77, first)));
        assertFalse(await(s.putIfAbsent(77, second)), "a second write of the same block is refused");
        List<MemorySegment> read = pages(1, BLOCK_BYTES);
        assertTrue(await(s.get(77, read)));
        assertArrayEquals(bytes(first), bytes(read), "the first value stays");
        assertEquals(1, s.stats().putsPresent());
    }

    @Test
    void presenceIsAnsweredPerBlockInOneBatch() {
        RemoteBlockStore s = store(namespace(3, 0));
        long[] hashes = new long[64];
        for (int i = 0; i < hashes.length; i++) {
            hashes[i] = 0xABCDEF00L + i;
            if (i % 3 == 0) {
                assertTrue(await(s.putIfAbsent(hashes[i], randomBlock(i, 1))));
            }
        }
        boolean[] present = await(s.contains(hashes));
        for (int i = 0; i < hashes.length; i++) {
            assertEquals(i % 3 == 0, present[i], "presence of block " + i);
        }
        assertEquals(0, await(s.contains(new long[0])).length);
    }

    @Test
    void namespacesAndRanksDoNotShareBlocks() {
        RemoteBlockStore a = store(namespace(4, 0));
        RemoteBlockStore otherModel = store(namespace(5, 0));
        RemoteBlockStore otherRank = store(namespace(4, 1));
        assertTrue(await(a.putIfAbsent(9, randomBlock(9, PAGES))));
        assertFalse(await(otherModel.contains(new long[] {9}))[0]);
        assertFalse(await(otherRank.get(9, pages(1, BLOCK_BYTES))));
        String key = a.namespace().key(9);
        assertFalse(key.contains("{") || key.contains("}"), "no hash tags: keys spread over cluster slots: " + key);
    }

    @Test
    void anEvictedBlockIsAMiss() {
        RemoteBlockStore s = store(namespace(6, 0));
        assertTrue(await(s.putIfAbsent(5, randomBlock(5, PAGES))));
        evictAll();
        assertFalse(await(s.contains(new long[] {5}))[0]);
        List<MemorySegment> target = pages(1, BLOCK_BYTES);
        assertFalse(await(s.get(5, target)), "an evicted block is a miss");
        assertEquals(1, s.stats().misses());
        assertEquals(0, s.stats().checksumFailures(), "a miss is not a checksum failure");
        assertTrue(await(s.putIfAbsent(5, randomBlock(5, PAGES))), "and can be written again");
    }

    @Test
    void refusedValuesAreCountedMissesNeverServedAndDeleted() {
        BlockNamespace ns = namespace(7, 0);
        RemoteBlockStore s = store(ns);
        List<MemorySegment> good = randomBlock(3, PAGES);
        assertTrue(await(s.putIfAbsent(3, good)));
        byte[] valid = readRaw(ns.key(3));
        assertEquals(RemoteValueFormat.HEADER_BYTES + BLOCK_BYTES, valid.length, "header + payload");

        List<byte[]> refused = new ArrayList<>();
        refused.add("not a kv block".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        byte[] flipped = valid.clone();
        flipped[RemoteValueFormat.HEADER_BYTES + 12345] ^= 0x10; // a torn or rotten payload byte
        refused.add(flipped);
        byte[] truncated = java.util.Arrays.copyOf(valid, valid.length - 1);
        refused.add(truncated);
        byte[] badHeader = valid.clone();
        badHeader[20] ^= 1; // the sequence-hash field: the header's own checksum no longer matches
        refused.add(badHeader);
        // A valid value of another namespace stored under this key (a key collision, a bad writer).
        RemoteBlockStore foreign = store(namespace(8, 0));
        assertTrue(await(foreign.putIfAbsent(3, randomBlock(4, PAGES))));
        refused.add(readRaw(namespace(8, 0).key(3)));

        long failures = s.stats().checksumFailures();
        for (byte[] value : refused) {
            writeRaw(ns.key(3), value);
            List<MemorySegment> target = pages(1, BLOCK_BYTES);
            target.getFirst().fill((byte) 0x5A);
            assertFalse(await(s.get(3, target)), "a refused value is a miss");
            assertEquals(++failures, s.stats().checksumFailures(), "and counted");
            byte[] untouched = new byte[(int) BLOCK_BYTES];
            java.util.Arrays.fill(untouched, (byte) 0x5A);
            assertArrayEquals(untouched, bytes(target), "its bytes never reach the target");
            assertEquals(null, readRaw(ns.key(3)), "and it is deleted");
        }
        assertTrue(await(s.putIfAbsent(3, good)), "the block can be written again");
        List<MemorySegment> read = pages(PAGES, PAGE_BYTES);
        assertTrue(await(s.get(3, read)));
        assertArrayEquals(bytes(good), bytes(read));
    }

    @Test
    void aPayloadOfTheWrongSizeIsRefusedNamingTheSize() {
        RemoteBlockStore s = store(namespace(9, 0));
        CompletionException e = assertThrows(CompletionException.class,
                () -> s.putIfAbsent(1, pages(1, BLOCK_BYTES - 8)).join());
        KvbmException k = assertInstanceOfKvbm(e.getCause());
        assertTrue(k.getMessage().contains(Long.toString(BLOCK_BYTES)), k.getMessage());
        RemoteStoreStats stats = s.stats();
        assertEquals(0, stats.puts());
    }

    private static KvbmException assertInstanceOfKvbm(Throwable t) {
        assertTrue(t instanceof KvbmException, "a KvbmException, got " + t);
        return (KvbmException) t;
    }
}
