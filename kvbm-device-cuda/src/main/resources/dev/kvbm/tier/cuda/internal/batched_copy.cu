// kvbm batched copy: one thread block per (source, target) pair of the pointer tables, looping when there are
// more pairs than blocks; 16-byte loads and stores when both addresses and the size allow, bytes otherwise.
extern "C" __global__ void kvbm_batched_copy(const unsigned long long* src, const unsigned long long* dst,
                                             unsigned long long bytes, int count) {
    for (int i = blockIdx.x; i < count; i += gridDim.x) {
        const char* s = (const char*) src[i];
        char* d = (char*) dst[i];
        if (((src[i] | dst[i] | bytes) & 15ULL) == 0) {
            const int4* s4 = (const int4*) s;
            int4* d4 = (int4*) d;
            unsigned long long n = bytes >> 4;
            for (unsigned long long j = threadIdx.x; j < n; j += blockDim.x) {
                d4[j] = s4[j];
            }
        } else {
            for (unsigned long long j = threadIdx.x; j < bytes; j += blockDim.x) {
                d[j] = s[j];
            }
        }
    }
}
