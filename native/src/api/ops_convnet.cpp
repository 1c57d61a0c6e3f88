// ops_convnet.cpp: the convolutional-network entries (hv_depthwise_conv2d, hv_conv2d, hv_global_avg_pool,
// hv_squeeze_excite): validate every argument, then launch native/src/kernels/{depthwise_conv2d,
// global_avg_pool,squeeze_excite}.hip or conv2d_dense on the context's stream.
#include <limits>
#include <string>

#include "args.h"
#include "boundary.h"
#include "../kernels/convnet.h"
#include "../libs/conv2d_dense.h"

namespace {

using hv::activation_of;
using hv::extent;
using hv::common_dtype;
using hv::elements_of;
using hv::optional_elements_of;
using hv::product;
using hv::require;
using hv::require_distinct;

constexpr int64_t kMaxGridYZ = 65535;  // batch and channel groups travel in grid.y / grid.z

struct ConvArgs {
    int64_t batch, in_channels, height, width, out_channels, kernel_h, kernel_w, stride_h, stride_w;
    hv_padding padding;
};

// Checks the geometry and returns it with the output size filled in.
hv::ConvShape conv_shape(const ConvArgs& a, int64_t max_kernel_taps, const char* kernel_limit) {
    extent("batch", a.batch);
    extent("channels", a.in_channels);
    extent("height", a.height);
    extent("width", a.width);
    extent("out_channels", a.out_channels);
    extent("kernel_h", a.kernel_h, 1);
    extent("kernel_w", a.kernel_w, 1);
    require(a.kernel_h * a.kernel_w <= max_kernel_taps, std::string("kernel ") + std::to_string(a.kernel_h) + "x" +
                                                            std::to_string(a.kernel_w) + " too large: " + kernel_limit);
    extent("stride_h", a.stride_h, 1);
    extent("stride_w", a.stride_w, 1);
    extent("padding.top", a.padding.top);
    extent("padding.bottom", a.padding.bottom);
    extent("padding.left", a.padding.left);
    extent("padding.right", a.padding.right);
    require(a.batch <= kMaxGridYZ, "batch must be <= 65535, got " + std::to_string(a.batch));
    const int64_t padded_h = a.height + a.padding.top + a.padding.bottom;
    const int64_t padded_w = a.width + a.padding.left + a.padding.right;
    require(padded_h >= a.kernel_h, "kernel_h " + std::to_string(a.kernel_h) + " exceeds the padded height " +
                                        std::to_string(padded_h) + " (no output row)");
    require(padded_w >= a.kernel_w, "kernel_w " + std::to_string(a.kernel_w) + " exceeds the padded width " +
                                        std::to_string(padded_w) + " (no output column)");
    const int64_t out_h = (padded_h - a.kernel_h) / a.stride_h + 1;
    const int64_t out_w = (padded_w - a.kernel_w) / a.stride_w + 1;
    require(out_h * out_w <= std::numeric_limits<int32_t>::max(), "out_h * out_w must fit in int32");
    require(a.height * a.width <= std::numeric_limits<int32_t>::max(), "height * width must fit in int32");
    return hv::ConvShape{int(a.batch), int(a.height), int(a.width), int(a.in_channels), int(a.out_channels),
                         int(a.kernel_h), int(a.kernel_w), int(a.stride_h), int(a.stride_w), int(a.padding.top),
                         int(a.padding.left), int(out_h), int(out_w)};
}

hv_status depthwise_conv2d(hv_context* context, const hv_buffer* x, const hv_buffer* weight, const hv_buffer* bias,
                           hv_buffer* y, const ConvArgs& a, hv_activation activation) {
    const hv::Device& d = hv::device_of(context);
    const hv::ConvShape s = conv_shape(a, 13 * 13, "kernel_h and kernel_w must be <= 13");
    require(a.kernel_h <= 13 && a.kernel_w <= 13, "kernel_h and kernel_w must be <= 13");
    const int act = activation_of(activation);
    require_distinct(y, "y", x, "x");
    const int64_t c = a.in_channels;
    const hv_dtype t = common_dtype({{"x", x}, {"weight", weight}, {"bias", bias}, {"y", y}});
    const void* px = elements_of(context, x, "x", product("x", {a.batch, a.height, a.width, c}));
    const void* pw = elements_of(context, weight, "weight", product("weight", {c, a.kernel_h, a.kernel_w}));
    const void* pb = optional_elements_of(context, bias, "bias", c);
    void* py = elements_of(context, y, "y", product("y", {a.batch, s.out_h, s.out_w, c}));
    if (s.batch == 0 || c == 0) return HV_OK;
    require((c + 31) / 32 <= kMaxGridYZ, "channels must be <= 65535 * 32");
    hv::check_hip(hv::launch_depthwise_conv2d(t, px, pw, pb, py, s, act, d.stream),
                  "depthwise_conv2d_kernel launch");
    return HV_OK;
}

// hv_conv2d's geometry and layout checks, shared with hv_conv2d_prepare.
hv::ConvShape dense_conv_shape(const ConvArgs& a, hv_layout layout) {
    const hv::ConvShape s = conv_shape(a, 256, "kernel_h * kernel_w must be <= 256");
    require(layout == HV_LAYOUT_NCHW || layout == HV_LAYOUT_NHWC,
            "x_layout " + std::to_string(int(layout)) + " is not an hv_layout");
    require((a.out_channels + 31) / 32 <= kMaxGridYZ, "out_channels must be <= 65535 * 32");
    return s;
}

hv_status conv2d(hv_context* context, const hv_buffer* x, const hv_buffer* weight, const hv_buffer* bias, hv_buffer* y,
                 const ConvArgs& a, hv_layout layout, hv_activation activation) {
    const hv::Device& d = hv::device_of(context);
    const hv::ConvShape s = dense_conv_shape(a, layout);
    const int act = activation_of(activation);
    require_distinct(y, "y", x, "x");
    const hv_dtype t = common_dtype({{"x", x}, {"weight", weight}, {"bias", bias}, {"y", y}});
    const void* px = elements_of(context, x, "x", product("x", {a.batch, a.in_channels, a.height, a.width}));
    const void* pw = elements_of(context, weight, "weight",
                                 product("weight", {a.out_channels, a.in_channels, a.kernel_h, a.kernel_w}));
    const void* pb = optional_elements_of(context, bias, "bias", a.out_channels);
    void* py = elements_of(context, y, "y", product("y", {a.batch, s.out_h, s.out_w, a.out_channels}));
    if (s.batch == 0 || s.out_channels == 0) return HV_OK;
    hv::conv2d_dense(d, t, px, pw, pb, py, s, layout == HV_LAYOUT_NCHW, act);
    return HV_OK;
}

}  // namespace

extern "C" {

HV_API hv_status hv_depthwise_conv2d(hv_context* context, const hv_buffer* x, const hv_buffer* weight,
                                     const hv_buffer* bias, hv_buffer* y, int64_t batch, int64_t height, int64_t width,
                                     int64_t channels, int64_t kernel_h, int64_t kernel_w, int64_t stride_h,
                                     int64_t stride_w, hv_padding padding, hv_activation activation) {
    return hv::guarded("hv_depthwise_conv2d", [&] {
        const ConvArgs a{batch, channels, height, width, channels, kernel_h, kernel_w, stride_h, stride_w, padding};
        return depthwise_conv2d(context, x, weight, bias, y, a, activation);
    });
}

HV_API hv_status hv_conv2d(hv_context* context, const hv_buffer* x, const hv_buffer* weight, const hv_buffer* bias,
                           hv_buffer* y, int64_t batch, int64_t in_channels, int64_t height, int64_t width,
                           int64_t out_channels, int64_t kernel_h, int64_t kernel_w, int64_t stride_h, int64_t stride_w,
                           hv_padding padding, hv_layout x_layout, hv_activation activation) {
    return hv::guarded("hv_conv2d", [&] {
        const ConvArgs a{batch, in_channels, height, width, out_channels, kernel_h, kernel_w, stride_h, stride_w, padding};
        return conv2d(context, x, weight, bias, y, a, x_layout, activation);
    });
}

HV_API hv_status hv_conv2d_prepare(hv_context* context, int64_t batch, int64_t in_channels, int64_t height,
                                   int64_t width, int64_t out_channels, int64_t kernel_h, int64_t kernel_w,
                                   int64_t stride_h, int64_t stride_w, hv_padding padding, hv_layout x_layout,
                                   hv_tuning* tuning) {
    return hv::guarded("hv_conv2d_prepare", [&] {
        const hv::Device& d = hv::device_of(context);
        const ConvArgs a{batch, in_channels, height, width, out_channels, kernel_h, kernel_w, stride_h, stride_w, padding};
        const hv::ConvShape s = dense_conv_shape(a, x_layout);
        require(tuning != nullptr, "tuning (the out pointer) is NULL");
        hv::require_not_capturing(d, "hv_conv2d_prepare");
        if (s.batch == 0 || s.out_channels == 0) {  // hv_conv2d does nothing for it either
            *tuning = HV_TUNING_NONE;
            return HV_OK;
        }
        *tuning = static_cast<hv_tuning>(hv::conv2d_prepare(d, s, x_layout == HV_LAYOUT_NCHW));
        return HV_OK;
    });
}

HV_API hv_status hv_context_tuning_report(hv_context* context, const char** text) {
    return hv::guarded("hv_context_tuning_report", [&] {
        require(context != nullptr, "context is NULL");
        require(text != nullptr, "text (the out pointer) is NULL");
        context->tuning_report = hv::conv2d_report(*context->device);
        *text = context->tuning_report.c_str();
        return HV_OK;
    });
}

HV_API hv_status hv_global_avg_pool(hv_context* context, const hv_buffer* x, hv_buffer* y, int64_t batch,
                                    int64_t height, int64_t width, int64_t channels) {
    return hv::guarded("hv_global_avg_pool", [&] {
        const hv::Device& d = hv::device_of(context);
        extent("batch", batch);
        extent("height", height);
        extent("width", width);
        extent("channels", channels);
        require(batch <= kMaxGridYZ, "batch must be <= 65535, got " + std::to_string(batch));
        require_distinct(y, "y", x, "x");
        const int64_t pixels = height * width;
        const hv_dtype t = common_dtype({{"x", x}, {"y", y}});
        const void* px = elements_of(context, x, "x", product("x", {batch, pixels, channels}));
        void* py = elements_of(context, y, "y", product("y", {batch, channels}));
        if (batch == 0 || channels == 0) return HV_OK;
        require(pixels >= 1, "height * width must be >= 1 (the mean of no pixels)");
        hv::check_hip(hv::launch_global_avg_pool(t, px, py, batch, pixels, channels, d.stream),
                      "channel_mean_kernel launch");
        return HV_OK;
    });
}

HV_API hv_status hv_squeeze_excite_workspace_size(int64_t batch, int64_t height, int64_t width, int64_t channels,
                                                  int64_t reduced, size_t* bytes) {
    return hv::guarded("hv_squeeze_excite_workspace_size", [&] {
        extent("batch", batch);
        extent("height", height);
        extent("width", width);
        extent("channels", channels);
        extent("reduced", reduced);
        require(bytes != nullptr, "bytes is NULL");
        product("batch * height * width * channels", {batch, height, width, channels});
        *bytes = size_t(hv::squeeze_excite_workspace_floats(batch, height * width, channels, reduced)) * sizeof(float);
        return HV_OK;
    });
}

HV_API hv_status hv_squeeze_excite(hv_context* context, const hv_buffer* x, const hv_buffer* w_reduce,
                                   const hv_buffer* b_reduce, const hv_buffer* w_expand, const hv_buffer* b_expand,
                                   hv_buffer* workspace, hv_buffer* y, int64_t batch, int64_t height, int64_t width,
                                   int64_t channels, int64_t reduced, hv_activation activation) {
    return hv::guarded("hv_squeeze_excite", [&] {
        const hv::Device& d = hv::device_of(context);
        extent("batch", batch);
        extent("height", height);
        extent("width", width);
        extent("channels", channels);
        extent("reduced", reduced, 1);
        require(reduced <= 4096, "reduced must be <= 4096, got " + std::to_string(reduced));
        require(channels <= 12288, "channels must be <= 12288 (the squeezed vector lives in shared memory), got " +
                                       std::to_string(channels));
        require(batch <= kMaxGridYZ, "batch must be <= 65535, got " + std::to_string(batch));
        require(activation == HV_ACTIVATION_SILU || activation == HV_ACTIVATION_RELU,
                "activation must be HV_ACTIVATION_SILU or HV_ACTIVATION_RELU, got " + std::to_string(int(activation)));
        for (const hv_buffer* in : {x, w_reduce, b_reduce, w_expand, b_expand, static_cast<const hv_buffer*>(y)})
            require(workspace == nullptr || in != workspace, "workspace must not alias another argument");
        const int64_t pixels = height * width;
        const int64_t n = product("x", {batch, pixels, channels});
        const hv_dtype t = common_dtype({{"x", x}, {"w_reduce", w_reduce}, {"b_reduce", b_reduce},
                                         {"w_expand", w_expand}, {"b_expand", b_expand}, {"y", y}});
        const void* px = elements_of(context, x, "x", n);
        const void* pw1 = elements_of(context, w_reduce, "w_reduce", product("w_reduce", {reduced, channels}));
        const void* pb1 = optional_elements_of(context, b_reduce, "b_reduce", reduced);
        const void* pw2 = elements_of(context, w_expand, "w_expand", product("w_expand", {channels, reduced}));
        const void* pb2 = optional_elements_of(context, b_expand, "b_expand", channels);
        void* py = elements_of(context, y, "y", n);
        // Untyped float32 scratch whatever the dtype.
        const int64_t workspace_floats = hv::squeeze_excite_workspace_floats(batch, pixels, channels, reduced);
        auto* pws = static_cast<float*>(
            hv::bytes_of(context, workspace, "workspace", product("workspace bytes", {workspace_floats, 4})));
        if (n == 0) return HV_OK;
        hv::check_hip(hv::launch_squeeze_excite(t, px, pw1, pb1, pw2, pb2, pws, py, batch, pixels, channels, reduced,
                                                int(activation), d.stream),
                      "squeeze_excite kernels launch");
        return HV_OK;
    });
}

}  // extern "C"
