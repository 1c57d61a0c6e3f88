// test_depthwise_conv2d.cpp: hv_depthwise_conv2d against the float64 reference on fresh random inputs, at
// warp 32 and 64, on EfficientNet-B7-at-600 maps (300, 150, 75, 38, 19; a few channels each, TF "SAME"
// asymmetric padding), MobileNetV1's 112×112×32, and odd shapes (partial channel groups and tiles, 4-sided
// padding, large kernels). Tolerance: conv (1e-4 abs + 1e-3 rel) and ‖Δ‖/‖want‖ ≤ 1e-5.
#include <cstdio>
#include <string>

#include "conv_reference.h"
#include "device.h"
#include "reference.h"

namespace {

const char* act_name(hv_activation a) {
    switch (a) {
    case HV_ACTIVATION_RELU6: return "relu6";
    case HV_ACTIVATION_SILU: return "silu";
    case HV_ACTIVATION_RELU: return "relu";
    case HV_ACTIVATION_GELU: return "gelu";
    default: return "none";
    }
}

// k×k stride s with TF "SAME" padding, the EfficientNet case.
hvt::ConvCase same(size_t batch, size_t h, size_t w, size_t c, size_t k, size_t s) {
    hvt::ConvCase cc{batch, c, h, w, c, k, k, s, s, 0, 0, 0, 0};
    hvt::same_padding(h, k, s, cc.top, cc.bottom);
    hvt::same_padding(w, k, s, cc.left, cc.right);
    return cc;
}

void depthwise_case(int warp, const hvt::ConvCase& c, hv_activation act, bool with_bias) {
    hvt::Context ctx(warp);
    const std::vector<float> x = hvt::random_floats(c.batch * c.height * c.width * c.in_channels, -1.0f, 1.0f);
    const std::vector<float> w = hvt::random_floats(c.in_channels * c.kernel_h * c.kernel_w, -0.5f, 0.5f);
    const std::vector<float> bias = with_bias ? hvt::random_floats(c.in_channels, -0.5f, 0.5f) : std::vector<float>{};
    const size_t n_out = c.batch * c.out_h() * c.out_w() * c.in_channels;
    hvt::Buffer bx(ctx, x), bw(ctx, w), bb(ctx, with_bias ? bias : std::vector<float>(1)), by(ctx, n_out);
    const hv_padding pad{int64_t(c.top), int64_t(c.bottom), int64_t(c.left), int64_t(c.right)};
    HV_EXPECT_OK(hv_depthwise_conv2d(ctx.get(), bx.get(), bw.get(), with_bias ? bb.get() : nullptr, by.get(),
                                     int64_t(c.batch), int64_t(c.height), int64_t(c.width), int64_t(c.in_channels),
                                     int64_t(c.kernel_h), int64_t(c.kernel_w), int64_t(c.stride_h),
                                     int64_t(c.stride_w), pad, act));
    char label[160];
    std::snprintf(label, sizeof label, "depthwise warp %d %zux%zux%zux%zu k%zux%zu s%zu,%zu pad %zu,%zu,%zu,%zu %s%s",
                  ctx.warp_size(), c.batch, c.height, c.width, c.in_channels, c.kernel_h, c.kernel_w, c.stride_h,
                  c.stride_w, c.top, c.bottom, c.left, c.right, act_name(act), with_bias ? "" : " no bias");
    hvt::expect_conv_close(label, by.download(n_out), hvt::ref_depthwise_conv2d(x, w, bias, c, act));
}

}  // namespace

HV_TEST(depthwise_conv2d_efficientnet_b7_maps) {
    for (int warp : hvt::warp_sizes()) {
        depthwise_case(warp, same(1, 300, 300, 4, 3, 1), HV_ACTIVATION_SILU, true);
        depthwise_case(warp, same(1, 300, 300, 3, 3, 2), HV_ACTIVATION_SILU, true);
        depthwise_case(warp, same(1, 150, 150, 5, 5, 2), HV_ACTIVATION_SILU, true);
        depthwise_case(warp, same(1, 75, 75, 6, 5, 1), HV_ACTIVATION_SILU, true);
        depthwise_case(warp, same(1, 75, 75, 7, 3, 2), HV_ACTIVATION_NONE, true);
        depthwise_case(warp, same(1, 38, 38, 40, 5, 2), HV_ACTIVATION_SILU, true);
        depthwise_case(warp, same(1, 19, 19, 70, 5, 1), HV_ACTIVATION_SILU, true);
    }
}

HV_TEST(depthwise_conv2d_mobilenet_v1_maps) {
    for (int warp : hvt::warp_sizes()) {
        depthwise_case(warp, {1, 32, 112, 112, 32, 3, 3, 1, 1, 1, 1, 1, 1}, HV_ACTIVATION_RELU6, true);
        depthwise_case(warp, {2, 64, 14, 14, 64, 3, 3, 2, 2, 0, 1, 0, 1}, HV_ACTIVATION_RELU6, true);
    }
}

HV_TEST(depthwise_conv2d_odd_shapes) {
    for (int warp : hvt::warp_sizes()) {
        depthwise_case(warp, {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0}, HV_ACTIVATION_NONE, false);
        depthwise_case(warp, {2, 33, 7, 9, 33, 3, 3, 2, 2, 1, 0, 2, 1}, HV_ACTIVATION_RELU, false);
        depthwise_case(warp, {3, 65, 11, 5, 65, 5, 3, 1, 2, 2, 2, 0, 3}, HV_ACTIVATION_GELU, true);
        depthwise_case(warp, {1, 13, 17, 23, 13, 7, 7, 3, 3, 3, 3, 3, 3}, HV_ACTIVATION_SILU, true);
        depthwise_case(warp, {1, 9, 20, 18, 9, 13, 13, 1, 1, 6, 6, 6, 6}, HV_ACTIVATION_NONE, true);
        depthwise_case(warp, {1, 3, 2, 2, 3, 3, 3, 1, 1, 1, 1, 1, 1}, HV_ACTIVATION_RELU6, true);
    }
}

HV_TEST(depthwise_conv2d_rejects_bad_arguments) {
    hvt::Context ctx;
    hvt::Buffer x(ctx, 64), w(ctx, 9), y(ctx, 64);
    const hv_padding pad{1, 1, 1, 1};
    HV_CHECK(hv_depthwise_conv2d(ctx.get(), x.get(), w.get(), nullptr, y.get(), 1, 8, 8, 1, 3, 3, 0, 1, pad,
                                 HV_ACTIVATION_NONE) == HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(std::string(hv_last_error()).find("stride_h") != std::string::npos) << hv_last_error();
    HV_CHECK(hv_depthwise_conv2d(ctx.get(), x.get(), w.get(), nullptr, y.get(), 1, 8, 8, 2, 3, 3, 1, 1, pad,
                                 HV_ACTIVATION_NONE) == HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(std::string(hv_last_error()).find("hv_depthwise_conv2d: x holds 256 bytes, needs 512") != std::string::npos)
        << hv_last_error();
    HV_CHECK(hv_depthwise_conv2d(ctx.get(), x.get(), w.get(), nullptr, x.get(), 1, 8, 8, 1, 3, 3, 1, 1, pad,
                                 HV_ACTIVATION_NONE) == HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(std::string(hv_last_error()).find("alias") != std::string::npos) << hv_last_error();
    HV_CHECK(hv_depthwise_conv2d(ctx.get(), x.get(), w.get(), nullptr, y.get(), 1, 8, 8, 1, 3, 3, 1, 1, pad,
                                 static_cast<hv_activation>(9)) == HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(hv_depthwise_conv2d(ctx.get(), x.get(), w.get(), nullptr, y.get(), 1, 8, 8, 1, 15, 15, 1, 1, pad,
                                 HV_ACTIVATION_NONE) == HV_ERROR_INVALID_ARGUMENT);
    HV_EXPECT_OK(hv_depthwise_conv2d(ctx.get(), x.get(), w.get(), nullptr, y.get(), 0, 8, 8, 1, 3, 3, 1, 1, pad,
                                     HV_ACTIVATION_NONE));
}
