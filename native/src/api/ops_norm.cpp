// ops_norm.cpp: hv_layer_norm, hv_add_layer_norm and hv_batch_norm: validate shapes and buffers, then launch
// native/src/kernels/layer_norm.hip or batch_norm.hip on the context's stream.
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
    const hv_dtype t = hv::common_dtype(
        {{"x", x}, {"residual", residual}, {"gamma", gamma}, {"beta", beta}, {"sum", sum}, {"y", y}});
    using hv::elements_of;
    using hv::optional_elements_of;
    const void* px = elements_of(context, x, "x", n);
    const void* pr = optional_elements_of(context, residual, "residual", n);
    const void* pg = optional_elements_of(context, gamma, "gamma", cols);
    const void* pb = optional_elements_of(context, beta, "beta", cols);
    void* ps = optional_elements_of(context, sum, "sum", n);
    void* py = elements_of(context, y, "y", n);
    const hv::Device& d = hv::device_of(context);
    hv::check_hip(hv::launch_layer_norm(t, px, pr, pg, pb, ps, py, rows, cols, eps, d.stream),
                  "layer_norm_kernel launch");
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

HV_API hv_status hv_batch_norm(hv_context* context, const hv_buffer* x, const hv_buffer* mean, const hv_buffer* var,
                               const hv_buffer* gamma, const hv_buffer* beta, hv_buffer* y, int64_t batch,
                               int64_t channels, int64_t spatial, hv_layout layout, float eps,
                               hv_activation activation) {
    return hv::guarded("hv_batch_norm", [&] {
        const hv::Device& d = hv::device_of(context);
        hv::require(batch >= 0, "batch is negative (" + std::to_string(batch) + ")");
        hv::require(channels >= 0, "channels is negative (" + std::to_string(channels) + ")");
        hv::require(spatial >= 0, "spatial is negative (" + std::to_string(spatial) + ")");
        hv::require(layout == HV_LAYOUT_NCHW || layout == HV_LAYOUT_NHWC,
                    "layout " + std::to_string(int(layout)) + " is not an hv_layout");
        hv::require(std::isfinite(eps) && eps >= 0.0f, "eps must be finite and >= 0, got " + std::to_string(eps));
        const int act = hv::activation_of(activation);
        for (const hv_buffer* in : {mean, var, gamma, beta})
            hv::require(in == nullptr || in != y, "y may alias only x");
        const hv_dtype t = hv::common_dtype(
            {{"x", x}, {"mean", mean}, {"var", var}, {"gamma", gamma}, {"beta", beta}, {"y", y}});
        const int64_t n = hv::product("batch*channels*spatial", {batch, channels, spatial});
        const void* px = hv::elements_of(context, x, "x", n);
        const void* pm = hv::elements_of(context, mean, "mean", channels);
        const void* pv = hv::elements_of(context, var, "var", channels);
        const void* pg = hv::optional_elements_of(context, gamma, "gamma", channels);
        const void* pb = hv::optional_elements_of(context, beta, "beta", channels);
        void* py = hv::elements_of(context, y, "y", n);
        hv::check_hip(hv::launch_batch_norm(t, px, pm, pv, pg, pb, py, batch, channels, spatial,
                                            layout == HV_LAYOUT_NCHW, eps, act, d.stream),
                      "batch_norm_kernel launch");
        return HV_OK;
    });
}

}  // extern "C"
