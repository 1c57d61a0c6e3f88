// ops_elementwise.cpp: hv_cast, hv_activate, hv_add, hv_layer_scale and hv_softmax: validate, then launch
// cast.hip, bias_act.hip, add.hip, layer_scale.hip and softmax.hip.
#include <string>

#include "args.h"
#include "boundary.h"
#include "../kernels/kernels.h"
#include "../kernels/storage.h"

extern "C" {

HV_API hv_status hv_cast(hv_context* context, const hv_buffer* x, hv_buffer* y, int64_t count) {
    return hv::guarded("hv_cast", [&] {
        const hv::Device& d = hv::device_of(context);
        hv::require(count >= 0, "count is negative (" + std::to_string(count) + ")");
        const void* px = hv::elements_of(context, x, "x", count);
        void* py = hv::elements_of(context, y, "y", count);
        // In place is safe only element for element: the same start and the same element size.
        const auto* xs = static_cast<const char*>(px);
        const auto* ys = static_cast<const char*>(py);
        const auto x_end = xs + count * int64_t(hv::dtype_size(x->dtype));
        const auto y_end = ys + count * int64_t(hv::dtype_size(y->dtype));
        if (count > 0 && xs < y_end && ys < x_end)
            hv::require(xs == ys && x->dtype == y->dtype,
                        "y overlaps x (allowed only as the same buffer with the same dtype; x is " +
                            std::string(hv::dtype_name(x->dtype)) + ", y is " + hv::dtype_name(y->dtype) + ")");
        hv::check_hip(hv::launch_cast(x->dtype, y->dtype, px, py, count, d.stream), "cast_kernel launch");
        return HV_OK;
    });
}

HV_API hv_status hv_activate(hv_context* context, const hv_buffer* x, hv_buffer* y, int64_t count,
                             hv_activation activation) {
    return hv::guarded("hv_activate", [&] {
        const hv::Device& d = hv::device_of(context);
        hv::require(count >= 0, "count is negative (" + std::to_string(count) + ")");
        const int act = hv::activation_of(activation);
        const hv_dtype t = hv::common_dtype({{"x", x}, {"y", y}});
        const void* px = hv::elements_of(context, x, "x", count);
        void* py = hv::elements_of(context, y, "y", count);
        hv::check_hip(hv::launch_bias_act(t, px, nullptr, py, 1, 1, count, count, act, d.stream),
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
        const hv_dtype t = hv::common_dtype({{"a", a}, {"b", b}, {"y", y}});
        const void* pa = hv::elements_of(context, a, "a", rows * cols);
        const void* pb = hv::elements_of(context, b, "b", b_rows * cols);
        void* py = hv::elements_of(context, y, "y", rows * cols);
        hv::check_hip(hv::launch_add(t, pa, pb, py, rows, cols, b_rows, d.stream), "add_kernel launch");
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
        const hv_dtype t = hv::common_dtype({{"x", x}, {"gamma", gamma}, {"residual", residual}, {"y", y}});
        const void* px = hv::elements_of(context, x, "x", rows * cols);
        const void* pg = hv::elements_of(context, gamma, "gamma", cols);
        const void* pr = hv::optional_elements_of(context, residual, "residual", rows * cols);
        void* py = hv::elements_of(context, y, "y", rows * cols);
        hv::check_hip(hv::launch_layer_scale(t, px, pg, pr, py, rows, cols, d.stream), "layer_scale_kernel launch");
        return HV_OK;
    });
}

HV_API hv_status hv_softmax(hv_context* context, const hv_buffer* x, hv_buffer* y, int64_t rows, int64_t cols) {
    return hv::guarded("hv_softmax", [&] {
        const hv::Device& d = hv::device_of(context);
        hv::extent("rows", rows);
        hv::extent("cols", cols, 1);
        const hv_dtype t = hv::common_dtype({{"x", x}, {"y", y}});
        const void* px = hv::elements_of(context, x, "x", rows * cols);
        void* py = hv::elements_of(context, y, "y", rows * cols);
        hv::check_hip(hv::launch_softmax(t, px, py, rows, cols, d.stream), "softmax_kernel launch");
        return HV_OK;
    });
}

}  // extern "C"
