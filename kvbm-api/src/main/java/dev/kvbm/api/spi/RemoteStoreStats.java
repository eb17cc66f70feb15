package dev.kvbm.api.spi;

/**
 * Counters of a {@link RemoteBlockStore}.
 *
 * @param puts             values written
 * @param putsPresent      writes skipped because the key existed (write-once)
 * @param hits             reads that returned verified bytes
 * @param misses           reads of absent keys (never written, evicted, deleted)
 * @param checksumFailures values whose header or checksum did not match (served as misses, deleted)
 * @param errors           operations that failed (timeouts, connection loss, server errors)
 */
public record RemoteStoreStats(long puts, long putsPresent, long hits, long misses, long checksumFailures,
                               long errors) {
}
