// blas_rocblas.cpp: hv::gemm through rocBLAS (HV_GPU=amd with HV_WITH_ROCBLAS=ON); the bias and
// activation run afterwards as one elementwise pass (kernels/bias_act.hip). See blas.h.
// One call for every element type: rocblas_gemm_strided_batched_ex with A, B, C (= D, in place) in the
// storage type (f32_r, f16_r, bf16_r) and compute type f32_r, so alpha and beta are floats and fp16/bf16
// products accumulate in float32 like the built-in kernel. Written against the rocBLAS documentation; not
// built here (no rocBLAS on the development machine).
#include "blas.h"

#include <algorithm>
#include <string>

#include <rocblas/rocblas.h>

#include "../api/boundary.h"
#include "../api/handles.h"
#include "../kernels/kernels.h"

namespace hv {
namespace {

void check(rocblas_status s, const char* what) {
    if (s != rocblas_status_success)
        throw Error(s == rocblas_status_memory_error ? HV_ERROR_OUT_OF_MEMORY : HV_ERROR_DEVICE,
                    std::string(what) + ": " + rocblas_status_to_string(s));
}

rocblas_operation op(bool trans) { return trans ? rocblas_operation_transpose : rocblas_operation_none; }

rocblas_datatype storage_type(hv_dtype dtype) {
    switch (dtype) {
    case HV_DTYPE_FLOAT16: return rocblas_datatype_f16_r;
    case HV_DTYPE_BFLOAT16: return rocblas_datatype_bf16_r;
    default: return rocblas_datatype_f32_r;
    }
}

}  // namespace

void blas_open(Device& d) {
    rocblas_handle h = nullptr;
    check(rocblas_create_handle(&h), "rocblas_create_handle");
    d.blas = h;
}

void blas_close(Device& d) noexcept {
    if (d.blas) (void)rocblas_destroy_handle(static_cast<rocblas_handle>(d.blas));
    d.blas = nullptr;
}

void gemm(Device& d, const Gemm& g) {
    if (g.batch == 0 || g.m == 0 || g.n == 0) return;
    auto h = static_cast<rocblas_handle>(d.blas);
    check(rocblas_set_stream(h, d.stream), "rocblas_set_stream");
    // Row-major X[r, c] is column-major X^T with leading dimension c. So row-major C = op(A)·op(B) is
    // column-major C^T = op(B)^T·op(A)^T: pass B first, then A, each with its own flag, and swap m, n.
    const rocblas_int lda = rocblas_int(std::max<int64_t>(1, g.trans_a ? g.m : g.k));
    const rocblas_int ldb = rocblas_int(std::max<int64_t>(1, g.trans_b ? g.k : g.n));
    const rocblas_datatype t = storage_type(g.dtype);
    const rocblas_int ldc = rocblas_int(g.n);
    check(rocblas_gemm_strided_batched_ex(h, op(g.trans_b), op(g.trans_a), rocblas_int(g.n), rocblas_int(g.m),
                                          rocblas_int(g.k), &g.alpha, g.b, t, ldb, g.stride_b, g.a, t, lda, g.stride_a,
                                          &g.beta, g.c, t, ldc, g.stride_c, g.c, t, ldc, g.stride_c,
                                          rocblas_int(g.batch), rocblas_datatype_f32_r, rocblas_gemm_algo_standard,
                                          0, 0),
          "rocblas_gemm_strided_batched_ex");
    if (g.bias || g.activation != 0)
        check_hip(launch_bias_act(g.dtype, g.c, g.bias, g.c, g.batch, g.m, g.n, g.stride_c, g.activation, d.stream),
                  "bias_act_kernel launch");
}

const char* gemm_backend() { return "rocblas"; }

}  // namespace hv
