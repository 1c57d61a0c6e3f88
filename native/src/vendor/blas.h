// blas.h: the library's one GEMM call site (STYLE habit 8). hv_gemm and hv_linear come through here;
// exactly one of the files next to this one is built and defines these functions:
//   blas_rocblas.cpp  rocBLAS (HV_GPU=amd, HV_WITH_ROCBLAS=ON)
//   blas_cublas.cpp   cuBLAS  (HV_GPU=nvidia, HV_WITH_CUBLAS=ON)
//   blas_builtin.cpp  HipVision's own kernel, native/src/kernels/gemm.hip (the emulator, or no vendor BLAS)
// Vendor BLAS libraries are column-major; their files turn the row-major request around with
// C^T = op(B)^T · op(A)^T (operands swapped, transpose flags kept), written once in each file.
#pragma once

#include <cstdint>

#include "hipvision.h"

namespace hv {

struct Device;

// C_z = act(alpha·op(A_z)·op(B_z) + beta·C_z + bias) for z < batch, row-major (hipvision.h, hv_gemm).
// A, B, bias and C hold elements of `dtype`; every implementation multiplies and accumulates in float32
// and rounds C once (kernels/storage.h).
struct Gemm {
    hv_dtype dtype = HV_DTYPE_FLOAT32;
    const void* a = nullptr;
    const void* b = nullptr;
    const void* bias = nullptr;  // n elements or null
    void* c = nullptr;
    int64_t batch = 1, m = 0, n = 0, k = 0;
    int64_t stride_a = 0, stride_b = 0, stride_c = 0;  // elements between batch items
    bool trans_a = false, trans_b = false;
    float alpha = 1.0f, beta = 0.0f;
    int activation = 0;  // hv_activation
};

// Per-device library state (a BLAS handle), created with the device's stream and released before it.
void blas_open(Device& device);
void blas_close(Device& device) noexcept;

// Queues the GEMM on device.stream; throws hv::Error on a library or launch failure.
void gemm(Device& device, const Gemm& g);

// "rocblas", "cublas" or "builtin": which of the three files this build uses.
const char* gemm_backend();

}  // namespace hv
