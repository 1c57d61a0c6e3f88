// blas_builtin.cpp: hv::gemm on HipVision's own kernel (kernels/gemm.hip), bias and activation fused in
// its epilogue. Built for the emulator and for GPUs without a vendor BLAS (see blas.h).
#include "blas.h"

#include <string>

#include "../api/boundary.h"
#include "../api/handles.h"
#include "../kernels/kernels.h"

namespace hv {

void blas_open(Device&) {}
void blas_close(Device&) noexcept {}

void gemm(Device& d, const Gemm& g) {
    if (g.n > kGemmMaxN)
        throw Error(HV_ERROR_UNSUPPORTED, "n = " + std::to_string(g.n) + " exceeds the built-in GEMM's grid limit " +
                                              std::to_string(kGemmMaxN));
    check_hip(launch_gemm(g.dtype, g.a, g.b, g.bias, g.c, g.batch, g.m, g.n, g.k, g.stride_a, g.stride_b, g.stride_c,
                          g.trans_a, g.trans_b, g.alpha, g.beta, g.activation, d.stream),
              "gemm_kernel launch");
}

const char* gemm_backend() { return "builtin"; }

}  // namespace hv
