// block_reduce.h: warp and block sums and maxima shared by the reduction kernels.
// A warp sum is a butterfly of __shfl_xor over offsets warpSize/2 .. 1, so every lane ends with the
// total; warpSize is read at run time (32 on NVIDIA and RDNA, 64 on CDNA, either in the emulator).
// A block sum writes one partial per warp to `scratch`, then every warp re-reduces those partials:
// no broadcast step, and it needs blockDim.x to be a multiple of warpSize (launchers use 256).
#pragma once

#include "../platform/hv_platform.h"

__device__ __forceinline__ float warp_sum(float v) {
    for (int offset = warpSize / 2; offset > 0; offset /= 2) v += __shfl_xor(v, offset);
    return v;
}

// scratch: HV_MAX_WARPS_PER_BLOCK floats of __shared__ memory, reusable once this returns.
__device__ __forceinline__ float block_sum(float v, float* scratch) {
    const int lane = threadIdx.x % warpSize;
    const int warp = threadIdx.x / warpSize;
    const int warps = blockDim.x / warpSize;
    v = warp_sum(v);
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = warp_sum(lane < warps ? scratch[lane] : 0.0f);
    __syncthreads();
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
    for (int offset = warpSize / 2; offset > 0; offset /= 2) v = fmaxf(v, __shfl_xor(v, offset));
    return v;
}

// The block-wide maximum; same contract as block_sum.
__device__ __forceinline__ float block_max(float v, float* scratch) {
    const int lane = threadIdx.x % warpSize;
    const int warp = threadIdx.x / warpSize;
    const int warps = blockDim.x / warpSize;
    v = warp_max(v);
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = warp_max(lane < warps ? scratch[lane] : -INFINITY);
    __syncthreads();
    return v;
}
