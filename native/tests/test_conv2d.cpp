// test_conv2d.cpp: hv_conv2d (the direct kernel behind conv2d_dense) against the float64 reference on fresh
// random inputs, at warp 32 and 64: the EfficientNet-B7 stem (NCHW 600×600×3 -> 300×300, a few output
// channels, TF "SAME" padding 0/1), MobileNetV1's stem (224, 3 -> 32, ReLU6), NHWC k×k convs with more input
// channels than one staged chunk, and odd shapes. Tolerance: conv (1e-4 abs + 1e-3 rel) and ‖Δ‖/‖want‖ ≤ 1e-5.
#include <cstdio>
#include <filesystem>
#include <string>

#include "conv_reference.h"
#include "device.h"
#include "reference.h"

namespace {

void conv2d_case(int warp, const hvt::ConvCase& c, bool nchw, hv_activation act, bool with_bias) {
    hvt::Context ctx(warp);
    const std::vector<float> x = hvt::random_floats(c.batch * c.in_channels * c.height * c.width, -1.0f, 1.0f);
    const std::vector<float> w =
        hvt::random_floats(c.out_channels * c.in_channels * c.kernel_h * c.kernel_w, -0.3f, 0.3f);
    const std::vector<float> bias = with_bias ? hvt::random_floats(c.out_channels, -0.5f, 0.5f) : std::vector<float>{};
    const size_t n_out = c.batch * c.out_h() * c.out_w() * c.out_channels;
    hvt::Buffer bx(ctx, x), bw(ctx, w), bb(ctx, with_bias ? bias : std::vector<float>(1)), by(ctx, n_out);
    const hv_padding pad{int64_t(c.top), int64_t(c.bottom), int64_t(c.left), int64_t(c.right)};
    HV_EXPECT_OK(hv_conv2d(ctx.get(), bx.get(), bw.get(), with_bias ? bb.get() : nullptr, by.get(), int64_t(c.batch),
                           int64_t(c.in_channels), int64_t(c.height), int64_t(c.width), int64_t(c.out_channels),
                           int64_t(c.kernel_h), int64_t(c.kernel_w), int64_t(c.stride_h), int64_t(c.stride_w), pad,
                           nchw ? HV_LAYOUT_NCHW : HV_LAYOUT_NHWC, act));
    char label[160];
    std::snprintf(label, sizeof label, "conv2d warp %d %s %zux%zux%zux%zu -> %zu k%zux%zu s%zu,%zu pad %zu,%zu,%zu,%zu act %d%s",
                  ctx.warp_size(), nchw ? "NCHW" : "NHWC", c.batch, c.in_channels, c.height, c.width, c.out_channels,
                  c.kernel_h, c.kernel_w, c.stride_h, c.stride_w, c.top, c.bottom, c.left, c.right, int(act),
                  with_bias ? "" : " no bias");
    hvt::expect_conv_close(label, by.download(n_out), hvt::ref_conv2d(x, nchw, w, bias, c, act));
}

}  // namespace

HV_TEST(conv2d_stems) {
    for (int warp : hvt::warp_sizes()) {
        conv2d_case(warp, {1, 3, 600, 600, 5, 3, 3, 2, 2, 0, 1, 0, 1}, true, HV_ACTIVATION_SILU, true);
        conv2d_case(warp, {1, 3, 224, 224, 32, 3, 3, 2, 2, 0, 1, 0, 1}, true, HV_ACTIVATION_RELU6, true);
    }
}

HV_TEST(conv2d_nhwc_and_odd_shapes) {
    for (int warp : hvt::warp_sizes()) {
        conv2d_case(warp, {1, 70, 9, 11, 33, 3, 3, 1, 1, 1, 1, 1, 1}, false, HV_ACTIVATION_SILU, true);
        conv2d_case(warp, {2, 40, 7, 6, 17, 3, 3, 2, 2, 1, 0, 0, 2}, true, HV_ACTIVATION_NONE, false);
        conv2d_case(warp, {1, 5, 13, 10, 65, 5, 3, 2, 1, 2, 2, 1, 1}, false, HV_ACTIVATION_GELU, true);
        conv2d_case(warp, {3, 17, 5, 5, 3, 1, 1, 1, 1, 0, 0, 0, 0}, false, HV_ACTIVATION_RELU, true);
        conv2d_case(warp, {1, 2, 20, 20, 4, 16, 16, 1, 1, 0, 0, 0, 0}, true, HV_ACTIVATION_NONE, true);
        conv2d_case(warp, {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0}, true, HV_ACTIVATION_NONE, false);
    }
}

HV_TEST(conv2d_rejects_bad_arguments) {
    hvt::Context ctx;
    hvt::Buffer x(ctx, 3 * 8 * 8), w(ctx, 4 * 3 * 9), y(ctx, 4 * 64);
    const hv_padding pad{1, 1, 1, 1};
    HV_CHECK(hv_conv2d(ctx.get(), x.get(), w.get(), nullptr, y.get(), 1, 3, 8, 8, 4, 3, 3, 1, 1, pad,
                       static_cast<hv_layout>(7), HV_ACTIVATION_NONE) == HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(std::string(hv_last_error()).find("hv_conv2d: x_layout") != std::string::npos) << hv_last_error();
    HV_CHECK(hv_conv2d(ctx.get(), x.get(), w.get(), nullptr, y.get(), 1, 3, 8, 8, 5, 3, 3, 1, 1, pad, HV_LAYOUT_NCHW,
                       HV_ACTIVATION_NONE) == HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(std::string(hv_last_error()).find("weight holds") != std::string::npos) << hv_last_error();
    const hv_padding negative{-1, 0, 0, 0};
    HV_CHECK(hv_conv2d(ctx.get(), x.get(), w.get(), nullptr, y.get(), 1, 3, 8, 8, 4, 3, 3, 1, 1, negative,
                       HV_LAYOUT_NCHW, HV_ACTIVATION_NONE) == HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(std::string(hv_last_error()).find("padding.top") != std::string::npos) << hv_last_error();
    HV_CHECK(hv_conv2d(ctx.get(), x.get(), w.get(), nullptr, y.get(), 1, 3, 1, 1, 4, 3, 3, 1, 1, hv_padding{},
                       HV_LAYOUT_NCHW, HV_ACTIVATION_NONE) == HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(std::string(hv_last_error()).find("exceeds the padded height") != std::string::npos) << hv_last_error();
}

// hv_conv2d_prepare on a build without a vendor convolution (the emulator, or no MIOpen/cuDNN): nothing to tune, no
// cache file written, the report says "direct", and hv_conv2d after it matches the reference as before.
HV_TEST(conv2d_prepare_without_vendor) {
    const char* backend = "";
    HV_EXPECT_OK(hv_get_backend(&backend));
    const std::string dir =
        (std::filesystem::temp_directory_path() / ("hv_tuning_test_" + std::to_string(hvt::seed() % 100000))).string();
    hv_context_options o{};
    o.tuning_cache_dir = dir.c_str();
    hv_context* ctx = nullptr;
    HV_EXPECT_OK(hv_context_create(&o, &ctx));
    const hv_padding same{0, 1, 0, 1};
    hv_tuning tuning = HV_TUNING_COLD;
    HV_EXPECT_OK(hv_conv2d_prepare(ctx, 1, 3, 600, 600, 64, 3, 3, 2, 2, same, HV_LAYOUT_NCHW, &tuning));
    const char* report = nullptr;
    HV_EXPECT_OK(hv_context_tuning_report(ctx, &report));
    if (std::string(backend) == "emulator") {
        HV_CHECK(tuning == HV_TUNING_NONE) << int(tuning);
        HV_CHECK(std::string(report) == "conv2d|1x3x600x600x64x3x3x2x2x0x0x300x300|fp32|nchw: direct\n") << report;
        FILE* probe = std::fopen(dir.c_str(), "r");
        HV_CHECK(probe == nullptr) << "nothing to tune, nothing written: " << dir;
        if (probe) std::fclose(probe);
    }
    HV_EXPECT_OK(hv_conv2d_prepare(ctx, 1, 3, 600, 600, 64, 3, 3, 2, 2, same, HV_LAYOUT_NCHW, &tuning));
    HV_CHECK(std::string(backend) != "emulator" || tuning == HV_TUNING_NONE) << int(tuning);
    HV_EXPECT_OK(hv_conv2d_prepare(ctx, 0, 3, 8, 8, 4, 3, 3, 1, 1, same, HV_LAYOUT_NHWC, &tuning));
    HV_CHECK(tuning == HV_TUNING_NONE) << "batch 0: nothing runs";

    HV_CHECK(hv_conv2d_prepare(ctx, 1, 3, 8, 8, 4, 3, 3, 1, 1, same, HV_LAYOUT_NCHW, nullptr) ==
             HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(std::string(hv_last_error()).find("hv_conv2d_prepare: tuning") != std::string::npos) << hv_last_error();
    HV_CHECK(hv_conv2d_prepare(ctx, 1, 3, 8, 8, 4, 17, 17, 1, 1, same, HV_LAYOUT_NCHW, &tuning) ==
             HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(hv_conv2d_prepare(ctx, 1, 3, 8, 8, 4, 3, 3, 1, 1, same, static_cast<hv_layout>(2), &tuning) ==
             HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(hv_context_tuning_report(nullptr, &report) == HV_ERROR_INVALID_ARGUMENT);
    HV_EXPECT_OK(hv_graph_begin(ctx));
    HV_CHECK(hv_conv2d_prepare(ctx, 1, 3, 8, 8, 4, 3, 3, 1, 1, same, HV_LAYOUT_NCHW, &tuning) ==
             HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(std::string(hv_last_error()).find("capturing") != std::string::npos) << hv_last_error();
    hv_graph* graph = nullptr;
    HV_EXPECT_OK(hv_graph_end(ctx, &graph));
    hv_graph_destroy(graph);
    hv_context_destroy(ctx);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);  // a GPU build with a vendor library writes its choice there

    for (int warp : hvt::warp_sizes())  // prepared or not, the same numbers
        conv2d_case(warp, {1, 3, 37, 41, 8, 3, 3, 2, 2, 0, 1, 0, 1}, true, HV_ACTIVATION_SILU, true);
}
