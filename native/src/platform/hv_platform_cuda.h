// hv_platform_cuda.h: the HIP subset HipVision uses, spelled in CUDA, so nvcc compiles the same .hip
// sources for NVIDIA GPUs. HIP names are the source of truth; only what the kernels and the API layer
// use is mapped, and each addition should stay a one-liner. NVIDIA warps are 32 wide: HIP's 64-bit
// __ballot result is widened from __ballot_sync's 32 bits, the shuffles use the full-warp mask.
#pragma once

#include <cuda_runtime.h>

#define HV_PLATFORM_NVIDIA 1

typedef cudaError_t hipError_t;
typedef cudaStream_t hipStream_t;
typedef cudaMemcpyKind hipMemcpyKind;
typedef cudaDeviceAttr hipDeviceAttribute_t;
typedef cudaGraph_t hipGraph_t;
typedef cudaGraphExec_t hipGraphExec_t;
typedef cudaGraphNode_t hipGraphNode_t;
typedef cudaGraphNodeType hipGraphNodeType;
typedef cudaStreamCaptureMode hipStreamCaptureMode;

#define hipSuccess cudaSuccess
#define hipErrorInvalidValue cudaErrorInvalidValue
#define hipErrorOutOfMemory cudaErrorMemoryAllocation
#define hipErrorInvalidConfiguration cudaErrorInvalidConfiguration
#define hipErrorInvalidDevice cudaErrorInvalidDevice
#define hipErrorNoDevice cudaErrorNoDevice
#define hipErrorLaunchFailure cudaErrorLaunchFailure
#define hipErrorStreamCaptureUnsupported cudaErrorStreamCaptureUnsupported
#define hipStreamCaptureModeThreadLocal cudaStreamCaptureModeThreadLocal
#define hipGraphNodeTypeKernel cudaGraphNodeTypeKernel
#define hipMemcpyHostToHost cudaMemcpyHostToHost
#define hipMemcpyHostToDevice cudaMemcpyHostToDevice
#define hipMemcpyDeviceToHost cudaMemcpyDeviceToHost
#define hipMemcpyDeviceToDevice cudaMemcpyDeviceToDevice
#define hipMemcpyDefault cudaMemcpyDefault
#define hipDeviceAttributeWarpSize cudaDevAttrWarpSize

#define hipMalloc cudaMalloc
#define hipFree cudaFree
#define hipMemcpy cudaMemcpy
#define hipMemcpyAsync cudaMemcpyAsync
#define hipMemset cudaMemset
#define hipMemsetAsync cudaMemsetAsync
#define hipStreamCreate cudaStreamCreate
#define hipStreamDestroy cudaStreamDestroy
#define hipStreamSynchronize cudaStreamSynchronize
#define hipDeviceSynchronize cudaDeviceSynchronize
#define hipGetDeviceCount cudaGetDeviceCount
#define hipSetDevice cudaSetDevice
#define hipDeviceGetAttribute cudaDeviceGetAttribute
#define hipGetLastError cudaGetLastError
#define hipPeekAtLastError cudaPeekAtLastError
#define hipGetErrorString cudaGetErrorString
#define hipStreamBeginCapture cudaStreamBeginCapture
#define hipStreamEndCapture cudaStreamEndCapture
#define hipGraphInstantiateWithFlags cudaGraphInstantiateWithFlags
#define hipGraphLaunch cudaGraphLaunch
#define hipGraphExecDestroy cudaGraphExecDestroy
#define hipGraphDestroy cudaGraphDestroy
#define hipGraphGetNodes cudaGraphGetNodes
#define hipGraphNodeGetType cudaGraphNodeGetType

#define hipLaunchKernelGGL(kernel, grid, block, shmem, stream, ...) \
    kernel<<<(grid), (block), (shmem), (stream)>>>(__VA_ARGS__)
// A kernel template with several arguments, as one macro argument (HIP's own spelling).
#define HIP_KERNEL_NAME(...) __VA_ARGS__

#define HV_DYNAMIC_SHARED(type, name) extern __shared__ type name[]

#define HV_FULL_WARP_MASK 0xffffffffu

// CUDA still declares deprecated non-_sync __shfl_xor/__ballot/__any/__all (with a 32-bit __ballot) for
// old architectures, so the HIP spellings are macros onto functions of our own instead of overloads.
#ifdef __CUDACC__
namespace hv_cuda {
template <class T>
__device__ __forceinline__ T shfl_xor(T var, int lane_mask, int width = warpSize) {
    return __shfl_xor_sync(HV_FULL_WARP_MASK, var, lane_mask, width);
}
template <class T>
__device__ __forceinline__ T shfl_down(T var, unsigned delta, int width = warpSize) {
    return __shfl_down_sync(HV_FULL_WARP_MASK, var, delta, width);
}
template <class T>
__device__ __forceinline__ T shfl_up(T var, unsigned delta, int width = warpSize) {
    return __shfl_up_sync(HV_FULL_WARP_MASK, var, delta, width);
}
template <class T>
__device__ __forceinline__ T shfl(T var, int src_lane, int width = warpSize) {
    return __shfl_sync(HV_FULL_WARP_MASK, var, src_lane, width);
}
__device__ __forceinline__ unsigned long long ballot(int predicate) {
    return __ballot_sync(HV_FULL_WARP_MASK, predicate);
}
__device__ __forceinline__ int any(int predicate) { return __any_sync(HV_FULL_WARP_MASK, predicate); }
__device__ __forceinline__ int all(int predicate) { return __all_sync(HV_FULL_WARP_MASK, predicate); }
__device__ __forceinline__ unsigned lane_id() {
    unsigned lane;
    asm volatile("mov.u32 %0, %%laneid;" : "=r"(lane));
    return lane;
}
}  // namespace hv_cuda

#define __shfl_xor(...) ::hv_cuda::shfl_xor(__VA_ARGS__)
#define __shfl_down(...) ::hv_cuda::shfl_down(__VA_ARGS__)
#define __shfl_up(...) ::hv_cuda::shfl_up(__VA_ARGS__)
#define __shfl(...) ::hv_cuda::shfl(__VA_ARGS__)
#define __ballot(p) ::hv_cuda::ballot(p)
#define __any(p) ::hv_cuda::any(p)
#define __all(p) ::hv_cuda::all(p)
#define __lane_id() ::hv_cuda::lane_id()
#endif
