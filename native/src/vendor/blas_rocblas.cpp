// blas_rocblas.cpp: hv::gemm through rocBLAS (HV_GPU=amd with HV_WITH_ROCBLAS=ON); the bias and
// activation run afterwards as one elementwise pass (kernels/bias_act.hip). See blas.h.
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
    check(rocblas_sgemm_strided_batched(h, op(g.trans_b), op(g.trans_a), rocblas_int(g.n), rocblas_int(g.m),
                                        rocblas_int(g.k), &g.alpha, g.b, ldb, g.stride_b, g.a, lda, g.stride_a,
                                        &g.beta, g.c, rocblas_int(g.n), g.stride_c, rocblas_int(g.batch)),
          "rocblas_sgemm_strided_batched");
    if (g.bias || g.activation != 0)
        check_hip(launch_bias_act(g.c, g.bias, g.c, g.batch, g.m, g.n, g.stride_c, g.activation, d.stream),
                  "bias_act_kernel launch");
}

const char* gemm_backend() { return "rocblas"; }

}  // namespace hv
