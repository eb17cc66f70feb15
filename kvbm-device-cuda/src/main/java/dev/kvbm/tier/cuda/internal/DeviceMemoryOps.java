package dev.kvbm.tier.cuda.internal;


/** Allocation calls of the device allocator, behind an interface so its accounting is tested without a GPU. */
interface DeviceMemoryOps {
    long allocate(int ordinal, long bytes);

    void free(int ordinal, long pointer);

    /** {@code cuMemAlloc} / {@code cuMemFree} on the device's primary context. */
    DeviceMemoryOps CUDA = new DeviceMemoryOps() {
        @Override
        public long allocate(int ordinal, long bytes) {
            CudaDriver.makeCurrent(ordinal);
            return CudaDriver.memAlloc(bytes, "device " + ordinal).address();
        }

        @Override
        public void free(int ordinal, long pointer) {
            CudaDriver.makeCurrent(ordinal);
            CudaDriver.memFree(CudaDriver.pointer(pointer));
        }
    };
}
