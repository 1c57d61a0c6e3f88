// ops_elementwise.cpp: hv_gelu, hv_add, hv_layer_scale and hv_softmax: validate, then launch
// bias_act.hip, add.hip, layer_scale.hip and softmax.hip.
#include <string>

#include "args.h"
#include "boundary.h"
#include "../kernels/kernels.h"

extern "C" {

HV_API hv_status hv_gelu(hv_context* context, const hv_buffer* x, hv_buffer* y, int64_t count) {
    return hv::guarded("hv_gelu", [&] {
        const hv::Device& d = hv::device_of(context);
        hv::require(count >= 0, "count is negative (" + std::to_string(count) + ")");
        const float* px = hv::floats_of(context, x, "x", count);
        float* py = hv::floats_of(context, y, "y", count);
        hv::check_hip(hv::launch_bias_act(px, nullptr, py, 1, 1, count, count, HV_ACTIVATION_GELU, d.stream),
                      "bias_act_kernel launch");
        return HV_OK;
    });
}

HV_API hv_status hv_add(hv_context* context, const hv_buffer* a, const hv_buffer* b, hv_buffer* y, int64_t rows,
                        int64_t cols, int64_t b_rows) {
    return hv::guarded("hv_add", [&] {
        const hv::Device& d = hv::device_of(context);
        hv::extent("rows", rows);
        hv::extent("cols", cols);
        hv::extent("b_rows", b_rows, 1);
        hv::require(rows % b_rows == 0, "rows (" + std::to_string(rows) + ") must be a multiple of b_rows (" +
                                            std::to_string(b_rows) + ")");
        hv::require(b_rows == rows || y != b, "y may alias b only when b_rows == rows");
        const float* pa = hv::floats_of(context, a, "a", rows * cols);
        const float* pb = hv::floats_of(context, b, "b", b_rows * cols);
        float* py = hv::floats_of(context, y, "y", rows * cols);
        hv::check_hip(hv::launch_add(pa, pb, py, rows, cols, b_rows, d.stream), "add_kernel launch");
        return HV_OK;
    });
}

HV_API hv_status hv_layer_scale(hv_context* context, const hv_buffer* x, const hv_buffer* gamma,
                                const hv_buffer* residual, hv_buffer* y, int64_t rows, int64_t cols) {
    return hv::guarded("hv_layer_scale", [&] {
        const hv::Device& d = hv::device_of(context);
        hv::extent("rows", rows);
        hv::extent("cols", cols);
        hv::require_distinct(y, "y", gamma, "gamma");
        const float* px = hv::floats_of(context, x, "x", rows * cols);
        const float* pg = hv::floats_of(context, gamma, "gamma", cols);
        const float* pr = hv::optional_floats_of(context, residual, "residual", rows * cols);
        float* py = hv::floats_of(context, y, "y", rows * cols);
        hv::check_hip(hv::launch_layer_scale(px, pg, pr, py, rows, cols, d.stream), "layer_scale_kernel launch");
        return HV_OK;
    });
}

HV_API hv_status hv_softmax(hv_context* context, const hv_buffer* x, hv_buffer* y, int64_t rows, int64_t cols) {
    return hv::guarded("hv_softmax", [&] {
        const hv::Device& d = hv::device_of(context);
        hv::extent("rows", rows);
        hv::extent("cols", cols, 1);
        const float* px = hv::floats_of(context, x, "x", rows * cols);
        float* py = hv::floats_of(context, y, "y", rows * cols);
        hv::check_hip(hv::launch_softmax(px, py, rows, cols, d.stream), "softmax_kernel launch");
        return HV_OK;
    });
}

}  // extern "C"
