// kvbm batched copy. tables holds count source addresses followed by count target addresses (u64). One thread
// block per (source, target) pair, looping when there are more pairs than blocks; 16-byte loads and stores when
// both addresses and the size allow, bytes otherwise.
extern "C" __global__ void kvbm_batched_copy(const unsigned long long* tables, unsigned long long bytes, int count) {
    for (int i = blockIdx.x; i < count; i += gridDim.x) {
        unsigned long long src = tables[i];
        unsigned long long dst = tables[count + i];
        if (((src | dst | bytes) & 15ULL) == 0) {
            const int4* s4 = (const int4*) src;
            int4* d4 = (int4*) dst;
            unsigned long long n = bytes >> 4;
            for (unsigned long long j = threadIdx.x; j < n; j += blockDim.x) {
                d4[j] = s4[j];
            }
        } else {
            const char* s = (const char*) src;
            char* d = (char*) dst;
            for (unsigned long long j = threadIdx.x; j < bytes; j += blockDim.x) {
                d[j] = s[j];
            }
        }
    }
}
