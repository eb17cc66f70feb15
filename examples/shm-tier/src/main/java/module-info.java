/**
 * An example third-party kvbm tier, {@code shm}: G2 host memory in memory-mapped files under {@code /dev/shm}
 * (tmpfs), visible to every process that maps the same file. It depends on {@code dev.kvbm.api} alone: its
 * provider extends the SPI's {@link dev.kvbm.api.spi.ProbedProvider}, its allocator
 * {@link dev.kvbm.api.spi.AccountingStorageAllocator} and its storage {@link dev.kvbm.api.spi.AbstractStorage}.
 *
 * <p>Options (tier options, else system properties): {@link dev.kvbm.examples.shm.ShmOptions#DIRECTORY} and
 * {@link dev.kvbm.examples.shm.ShmOptions#LIMIT_BYTES}. No JVM flags: mapping a file needs no native access.
 * Dropped into a kvbm distribution's {@code lib/}, it is listed by {@code kvbm tiers}.
 */
module dev.kvbm.examples.shm {
    requires dev.kvbm.api;

    exports dev.kvbm.examples.shm;

    provides dev.kvbm.api.spi.TierProvider with dev.kvbm.examples.shm.internal.ShmTierProvider;
}
