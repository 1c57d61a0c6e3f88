// blas_cublas.cpp: hv::gemm through cuBLAS (HV_GPU=nvidia with HV_WITH_CUBLAS=ON); the bias and
// activation run afterwards as one elementwise pass (kernels/bias_act.hip). See blas.h.
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
    check(cublasSgemmStridedBatched(h, op(g.trans_b), op(g.trans_a), int(g.n), int(g.m), int(g.k), &g.alpha, g.b,
                                    ldb, g.stride_b, g.a, lda, g.stride_a, &g.beta, g.c, int(g.n), g.stride_c,
                                    int(g.batch)),
          "cublasSgemmStridedBatched");
    if (g.bias || g.activation != 0)
        check_hip(launch_bias_act(g.c, g.bias, g.c, g.batch, g.m, g.n, g.stride_c, g.activation, d.stream),
                  "bias_act_kernel launch");
}

const char* gemm_backend() { return "cublas"; }

}  // namespace hv
