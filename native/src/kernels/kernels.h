// kernels.h: host-side launchers of the kernels in this folder, called by native/src/api/.
// Each returns hipSuccess or the launch error; pointers are device pointers, shapes already validated.
#pragma once

#include <cstdint>

#include "../platform/hv_platform.h"

namespace hv {

// y = LayerNorm(x + residual) over rows of `cols`; residual, sum_out, gamma, beta may be null.
hipError_t launch_layer_norm(const float* x, const float* residual, const float* gamma, const float* beta,
                             float* sum_out, float* y, int64_t rows, int64_t cols, float eps, hipStream_t stream);

}  // namespace hv
