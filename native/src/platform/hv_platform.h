// hv_platform.h: the one include that kernels and the API layer use for the GPU language and runtime.
// HipVision is written in HIP; this header picks what the HIP names mean for the build variant:
//   HV_PLATFORM_AMD       real HIP (hipcc/clang, ROCm runtime)
//   HV_PLATFORM_NVIDIA    CUDA, through the HIP->CUDA mapping in hv_platform_cuda.h (nvcc)
//   HV_PLATFORM_EMULATOR  the CPU emulator in emulator/hv_emulator.h (g++), the default for tests
// CMake defines exactly one of them (cmake/HvGpu.cmake).
// Portability rules for kernels: launch with hipLaunchKernelGGL, read warpSize at run time, use
// HV_DYNAMIC_SHARED for dynamic shared memory, and only the warp functions listed in the chosen header.
#pragma once

#if defined(HV_PLATFORM_AMD)
#include <hip/hip_runtime.h>
#define HV_DYNAMIC_SHARED(type, name) HIP_DYNAMIC_SHARED(type, name)
#elif defined(HV_PLATFORM_NVIDIA)
#include "hv_platform_cuda.h"
#elif defined(HV_PLATFORM_EMULATOR)
#include "emulator/hv_emulator.h"
#else
#error "define one of HV_PLATFORM_AMD, HV_PLATFORM_NVIDIA, HV_PLATFORM_EMULATOR (see cmake/HvGpu.cmake)"
#endif

// Loop-unrolling hint for loops over register arrays: hipcc and nvcc take `#pragma unroll`; g++ (the
// emulator) does not know that spelling and warns, so there it is empty.
#if defined(HV_PLATFORM_EMULATOR)
#define HV_UNROLL
#else
#define HV_UNROLL _Pragma("unroll")
#endif

// Largest block HipVision launches; block reductions size their per-warp scratch from it.
#define HV_MAX_BLOCK_THREADS 1024
// Warps in the largest block at the narrowest warp (32): scratch that fits both warp widths.
#define HV_MAX_WARPS_PER_BLOCK (HV_MAX_BLOCK_THREADS / 32)
