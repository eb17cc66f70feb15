package dev.kvbm.tier.cuda.internal;

import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.StorageAllocator;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.api.spi.TierConfig;
import dev.kvbm.api.spi.TierProvider;
import dev.kvbm.api.spi.TransferEngine;
import dev.kvbm.tck.HostLayouts;
import dev.kvbm.tck.StorageAllocatorContract;
import dev.kvbm.tck.TierProviderContract;
import dev.kvbm.tck.TransferEngineContract;
import dev.kvbm.tier.cuda.CudaOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;

/**
 * The TCK's contracts for the cuda tier and engine. On a machine without a GPU (or without libcuda) every test
 * that needs the driver is skipped with CudaDriver's probe cause; the allocator's accounting also runs over
 * fake cuMemAlloc/cuMemFree, which needs no GPU.
 */
class CudaContractsTest {

    @Nested
    class Tier extends TierProviderContract {
        @Override
        protected TierProvider createProvider() {
            return new CudaTierProvider();
        }

        @Override
        protected String limitOption() {
            return CudaOptions.LIMIT_BYTES;
        }
    }

    @Nested
    class DeviceAllocator extends StorageAllocatorContract {
        @Override
        protected StorageAllocator createAllocator(long limitBytes) {
            CudaTierProvider p = new CudaTierProvider();
            assumeAvailable(p);
            return p.createAllocator(new TierConfig(dev.kvbm.api.Tier.G1, new LayoutConfig(1, 1, 1, 1, 1, 256, 1),
                    LayoutType.FULLY_CONTIGUOUS, Map.of(CudaOptions.LIMIT_BYTES, Long.toString(limitBytes))));
        }
    }

    @Nested
    class FakeDriverAllocator extends StorageAllocatorContract {
        @Override
        protected StorageAllocator createAllocator(long limitBytes) {
            return new CudaDeviceAllocator(0, limitBytes, new CudaDeviceAllocatorTest.FakeOps());
        }
    }

    @Nested
    class Engine extends TransferEngineContract {
        private final List<StorageAllocator> allocators = new ArrayList<>();

        @Override
        protected TransferEngine createEngine() {
            CudaEngineProvider p = new CudaEngineProvider();
            assumeAvailable(p);
            return p.create(Map.of());
        }

        @Override
        protected PhysicalLayout hostLayout(LayoutConfig config, LayoutType type) {
            return HostLayouts.allocate(config, type, StorageKind.SYSTEM);
        }

        @Override
        protected PhysicalLayout layoutUnderTest(LayoutConfig config, LayoutType type) {
            CudaTierProvider p = new CudaTierProvider();
            assumeAvailable(p);
            StorageAllocator a = p.createAllocator(new TierConfig(dev.kvbm.api.Tier.G1, config, type));
            allocators.add(a);
            return HostLayouts.allocate(a, config, type, config.alignment());
        }

        @AfterEach
        void closeAllocators() {
            allocators.forEach(StorageAllocator::close);
            allocators.clear();
        }
    }

    private static void assumeAvailable(dev.kvbm.api.spi.KvbmProvider p) {
        TierProviderContract.assumeAvailable(p);
    }
}
