/**
 * The kvbm TCK: abstract JUnit 5 tests that a provider module, in-tree or third-party, extends in its own
 * test sources by supplying factory methods: {@link dev.kvbm.tck.StorageAllocatorContract},
 * {@link dev.kvbm.tck.TierProviderContract}, {@link dev.kvbm.tck.TransferEngineContract},
 * {@link dev.kvbm.tck.TransportContract} and {@link dev.kvbm.tck.ProviderDeclarationsContract}, with shared
 * fixtures ({@link dev.kvbm.tck.HostLayouts}, {@link dev.kvbm.tck.TestHostMemory},
 * {@link dev.kvbm.tck.DeviceAddressStorage}). A capability a module does not have is declared through
 * {@code hasBehavior(}{@link dev.kvbm.tck.Behavior}{@code )}; a missing library or device is a skip (JUnit
 * assumption naming the provider's cause), never a pass and never a failure.
 */
module dev.kvbm.tck {
    requires transitive dev.kvbm.api;
    requires transitive org.junit.jupiter.api;
    requires transitive org.junit.jupiter.params;

    exports dev.kvbm.tck;
    opens dev.kvbm.tck to org.junit.platform.commons;
}
