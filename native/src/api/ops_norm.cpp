// ops_norm.cpp: hv_layer_norm and hv_add_layer_norm: validate shapes and buffers, then launch
// native/src/kernels/layer_norm.hip on the context's stream.
#include <cmath>
#include <limits>
#include <string>

#include "args.h"
#include "boundary.h"
#include "../kernels/kernels.h"

namespace {

hv_status layer_norm(hv_context* context, const hv_buffer* x, const hv_buffer* residual, const hv_buffer* gamma,
                     const hv_buffer* beta, hv_buffer* sum, hv_buffer* y, int64_t rows, int64_t cols, float eps) {
    hv::require(context != nullptr, "context is NULL");
    hv::require(rows >= 0, "rows is negative (" + std::to_string(rows) + ")");
    hv::require(cols >= 1, "cols must be >= 1, got " + std::to_string(cols));
    hv::require(rows <= std::numeric_limits<int32_t>::max() && cols <= std::numeric_limits<int32_t>::max(),
                "rows and cols must each fit in int32");
    hv::require(rows <= std::numeric_limits<int64_t>::max() / cols, "rows*cols overflows");
    hv::require(std::isfinite(eps) && eps >= 0.0f, "eps must be finite and >= 0, got " + std::to_string(eps));
    hv::require(sum == nullptr || sum != y, "sum and y must be different buffers");
    const int64_t n = rows * cols;
    using hv::floats_of;
    using hv::optional_floats_of;
    const float* px = floats_of(context, x, "x", n);
    const float* pr = optional_floats_of(context, residual, "residual", n);
    const float* pg = optional_floats_of(context, gamma, "gamma", cols);
    const float* pb = optional_floats_of(context, beta, "beta", cols);
    float* ps = optional_floats_of(context, sum, "sum", n);
    float* py = floats_of(context, y, "y", n);
    const hv::Device& d = hv::device_of(context);
    hv::check_hip(hv::launch_layer_norm(px, pr, pg, pb, ps, py, rows, cols, eps, d.stream), "layer_norm_kernel launch");
    return HV_OK;
}

}  // namespace

extern "C" {

HV_API hv_status hv_layer_norm(hv_context* context, const hv_buffer* x, const hv_buffer* gamma, const hv_buffer* beta,
                               hv_buffer* y, int64_t rows, int64_t cols, float eps) {
    return hv::guarded("hv_layer_norm", [&] {
        return layer_norm(context, x, nullptr, gamma, beta, nullptr, y, rows, cols, eps);
    });
}

HV_API hv_status hv_add_layer_norm(hv_context* context, const hv_buffer* x, const hv_buffer* residual,
                                   const hv_buffer* gamma, const hv_buffer* beta, hv_buffer* sum, hv_buffer* y,
                                   int64_t rows, int64_t cols, float eps) {
    return hv::guarded("hv_add_layer_norm", [&] {
        hv::require(residual != nullptr, "residual is NULL (use hv_layer_norm without one)");
        return layer_norm(context, x, residual, gamma, beta, sum, y, rows, cols, eps);
    });
}

}  // extern "C"
