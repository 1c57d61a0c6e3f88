// blas_cublas.cpp: hv::gemm through cuBLAS (HV_GPU=nvidia with HV_WITH_CUBLAS=ON); the bias and
// activation run afterwards as one elementwise pass (kernels/bias_act.hip). See blas.h.
// One call for every element type: cublasGemmStridedBatchedEx with A, B, C in the storage type
// (CUDA_R_32F, CUDA_R_16F, CUDA_R_16BF) and CUBLAS_COMPUTE_32F, so alpha and beta are floats and fp16/bf16
// products accumulate in float32 like the built-in kernel (COMPUTE_32F, not _FAST_TF32: fp32 stays fp32).
// Written against the cuBLAS documentation; not built here (no CUDA on the development machine).
#include "blas.h"

#include <algorithm>
#include <string>

#include <cublas_v2.h>

#include "../api/boundary.h"
#include "../api/handles.h"
#include "../kernels/kernels.h"

namespace hv {
namespace {

void check(cublasStatus_t s, const char* what) {
    if (s != CUBLAS_STATUS_SUCCESS)
        throw Error(s == CUBLAS_STATUS_ALLOC_FAILED ? HV_ERROR_OUT_OF_MEMORY : HV_ERROR_DEVICE,
                    std::string(what) + ": " + cublasGetStatusString(s));
}

cublasOperation_t op(bool trans) { return trans ? CUBLAS_OP_T : CUBLAS_OP_N; }

cudaDataType storage_type(hv_dtype dtype) {
    switch (dtype) {
    case HV_DTYPE_FLOAT16: return CUDA_R_16F;
    case HV_DTYPE_BFLOAT16: return CUDA_R_16BF;
    default: return CUDA_R_32F;
    }
}

}  // namespace

void blas_open(Device& d) {
    cublasHandle_t h = nullptr;
    check(cublasCreate(&h), "cublasCreate");
    d.blas = h;
}

void blas_close(Device& d) noexcept {
    if (d.blas) (void)cublasDestroy(static_cast<cublasHandle_t>(d.blas));
    d.blas = nullptr;
}

void gemm(Device& d, const Gemm& g) {
    if (g.batch == 0 || g.m == 0 || g.n == 0) return;
    auto h = static_cast<cublasHandle_t>(d.blas);
    check(cublasSetStream(h, d.stream), "cublasSetStream");
    // Row-major X[r, c] is column-major X^T with leading dimension c. So row-major C = op(A)·op(B) is
    // column-major C^T = op(B)^T·op(A)^T: pass B first, then A, each with its own flag, and swap m, n.
    const int lda = int(std::max<int64_t>(1, g.trans_a ? g.m : g.k));
    const int ldb = int(std::max<int64_t>(1, g.trans_b ? g.k : g.n));
    const cudaDataType t = storage_type(g.dtype);
    check(cublasGemmStridedBatchedEx(h, op(g.trans_b), op(g.trans_a), int(g.n), int(g.m), int(g.k), &g.alpha, g.b, t,
                                     ldb, g.stride_b, g.a, t, lda, g.stride_a, &g.beta, g.c, t, int(g.n), g.stride_c,
                                     int(g.batch), CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
          "cublasGemmStridedBatchedEx");
    if (g.bias || g.activation != 0)
        check_hip(launch_bias_act(g.dtype, g.c, g.bias, g.c, g.batch, g.m, g.n, g.stride_c, g.activation, d.stream),
                  "bias_act_kernel launch");
}

const char* gemm_backend() { return "cublas"; }

}  // namespace hv
