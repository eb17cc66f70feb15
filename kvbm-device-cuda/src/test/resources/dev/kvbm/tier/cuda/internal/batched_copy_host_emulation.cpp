// Runs batched_copy.cu on the CPU: CUDA built-ins stubbed, every (block, thread) of a small grid run in turn.
// The kernel has no inter-thread dependencies, so sequential emulation checks its indexing and both copy paths.
#define __global__
struct int4 { int x, y, z, w; };
struct uint3 { unsigned x, y, z; };
static uint3 blockIdx, threadIdx, gridDim, blockDim;
#include "batched_copy.cu"
#include <cstring>
#include <cstdio>
int main() {
  // Emulate the grid: every (block, thread) pair runs the body once.
  char src[4][64], dst[4][64];
  for (int i = 0; i < 4; i++) for (int j = 0; j < 64; j++) src[i][j] = (char)(i * 64 + j);
  unsigned long long tables[8];
  for (int i = 0; i < 4; i++) { tables[i] = (unsigned long long) src[3 - i]; tables[4 + i] = (unsigned long long) dst[i]; }
  gridDim.x = 2; blockDim.x = 3;
  for (unsigned b = 0; b < gridDim.x; b++) for (unsigned t = 0; t < blockDim.x; t++) {
    blockIdx.x = b; threadIdx.x = t; kvbm_batched_copy(tables, 64, 4);
  }
  int bad = 0; for (int i = 0; i < 4; i++) bad |= memcmp(dst[i], src[3 - i], 64);
  // Unaligned size path.
  char a[37], c[37]; for (int j = 0; j < 37; j++) a[j] = (char) j;
  unsigned long long t2[2] = {(unsigned long long) a, (unsigned long long) c};
  for (unsigned b = 0; b < gridDim.x; b++) for (unsigned t = 0; t < blockDim.x; t++) { blockIdx.x = b; threadIdx.x = t; kvbm_batched_copy(t2, 37, 1); }
  bad |= memcmp(a, c, 37);
  printf(bad ? "MISMATCH\n" : "ok\n"); return bad;
}
