// test_conv2d.cpp: hv_conv2d (the direct kernel behind conv2d_dense) against the float64 reference on fresh
// random inputs, at warp 32 and 64: the EfficientNet-B7 stem (NCHW 600×600×3 -> 300×300, a few output
// channels, TF "SAME" padding 0/1), MobileNetV1's stem (224, 3 -> 32, ReLU6), NHWC k×k convs with more input
// channels than one staged chunk, and odd shapes. Tolerance: conv (1e-4 abs + 1e-3 rel) and ‖Δ‖/‖want‖ ≤ 1e-5.
#include <cstdio>
#include <filesystem>
#include <string>

#include "conv_reference.h"
#include "device.h"
#include "libs/conv2d_vendor.h"
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

namespace {

hv::ConvShape shape_of(const hvt::ConvCase& c) {
    return hv::ConvShape{int(c.batch), int(c.height), int(c.width), int(c.in_channels), int(c.out_channels),
                         int(c.kernel_h), int(c.kernel_w), int(c.stride_h), int(c.stride_w), int(c.top), int(c.left),
                         int(c.out_h()), int(c.out_w())};
}

// The vendor path's decomposition of an asymmetric padding (libs/conv2d_problem.cpp), run with the direct kernel
// through the ABI: the 1x1 identity conv with the original padding writes the padded NHWC copy, the unpadded conv of
// it must equal the float64 reference of the original convolution.
void vendor_padding_case(int warp, const hvt::ConvCase& c, bool nchw) {
    const hv::VendorProblem p = hv::vendor_problem(shape_of(c), nchw);
    HV_CHECK(p.pad_first) << "asymmetric case expected";
    HV_CHECK(p.shape.out_h == int(c.out_h()) && p.shape.out_w == int(c.out_w()));
    HV_CHECK(!p.x_nchw && p.shape.pad_top == 0 && p.shape.pad_left == 0);
    HV_CHECK((p.shape.height - p.shape.kernel_h) / p.shape.stride_h + 1 == p.shape.out_h) << "vendor's own output size";
    HV_CHECK((p.shape.width - p.shape.kernel_w) / p.shape.stride_w + 1 == p.shape.out_w);
    hvt::Context ctx(warp);
    const std::vector<float> x = hvt::random_floats(c.batch * c.in_channels * c.height * c.width, -1.0f, 1.0f);
    const std::vector<float> w =
        hvt::random_floats(c.out_channels * c.in_channels * c.kernel_h * c.kernel_w, -0.3f, 0.3f);
    std::vector<float> eye(c.in_channels * c.in_channels, 0.0f);
    for (size_t i = 0; i < c.in_channels; ++i) eye[i * c.in_channels + i] = 1.0f;
    const size_t n_pad = size_t(p.pad.batch) * size_t(p.pad.out_h) * size_t(p.pad.out_w) * c.in_channels;
    const size_t n_out = c.batch * c.out_h() * c.out_w() * c.out_channels;
    hvt::Buffer bx(ctx, x), bw(ctx, w), bi(ctx, eye), padded(ctx, n_pad), by(ctx, n_out);
    const hv_padding pad{int64_t(c.top), int64_t(p.pad.out_h) - int64_t(c.height) - int64_t(c.top), int64_t(c.left),
                         int64_t(p.pad.out_w) - int64_t(c.width) - int64_t(c.left)};
    HV_EXPECT_OK(hv_conv2d(ctx.get(), bx.get(), bi.get(), nullptr, padded.get(), int64_t(c.batch),
                           int64_t(c.in_channels), int64_t(c.height), int64_t(c.width), int64_t(c.in_channels), 1, 1, 1,
                           1, pad, nchw ? HV_LAYOUT_NCHW : HV_LAYOUT_NHWC, HV_ACTIVATION_NONE));
    HV_EXPECT_OK(hv_conv2d(ctx.get(), padded.get(), bw.get(), nullptr, by.get(), int64_t(c.batch),
                           int64_t(c.in_channels), p.shape.height, p.shape.width, int64_t(c.out_channels),
                           int64_t(c.kernel_h), int64_t(c.kernel_w), int64_t(c.stride_h), int64_t(c.stride_w),
                           hv_padding{}, HV_LAYOUT_NHWC, HV_ACTIVATION_NONE));
    char label[128];
    std::snprintf(label, sizeof label, "vendor padding warp %d %s %zux%zu k%zu s%zu pad %zu,%zu,%zu,%zu", warp,
                  nchw ? "NCHW" : "NHWC", c.height, c.width, c.kernel_h, c.stride_h, c.top, c.bottom, c.left, c.right);
    hvt::expect_conv_close(label, by.download(n_out), hvt::ref_conv2d(x, nchw, w, {}, c, HV_ACTIVATION_NONE));
}

}  // namespace

// libs/conv2d_problem.cpp: when the vendor sees the shape as it is, and when it gets the padded copy.
HV_TEST(conv2d_vendor_padding_rule) {
    // Symmetric: handed over as it is.
    hv::VendorProblem p = hv::vendor_problem(shape_of({1, 16, 9, 11, 8, 3, 3, 1, 1, 1, 1, 1, 1}), false);
    HV_CHECK(!p.pad_first && p.shape.pad_top == 1 && p.shape.height == 9);
    // The extra bottom/right zero is never read (8 + 1 + 1 - 3 = 7, stride 2: 4 rows either way).
    p = hv::vendor_problem(shape_of({1, 3, 8, 8, 4, 3, 3, 2, 2, 1, 1, 1, 1}), true);
    HV_CHECK(!p.pad_first && p.x_nchw);
    // TF SAME (0, 1) on an odd size: the extra zero is never read either (37 -> 18 both ways).
    p = hv::vendor_problem(shape_of({1, 3, 37, 41, 8, 3, 3, 2, 2, 0, 1, 0, 1}), true);
    HV_CHECK(!p.pad_first && p.shape.pad_top == 0);
    // The EfficientNet-B7 stem, TF SAME (0, 1): 600 -> 300 needs 601 padded rows, convolved unpadded.
    p = hv::vendor_problem(shape_of({1, 3, 600, 600, 64, 3, 3, 2, 2, 0, 1, 0, 1}), true);
    HV_CHECK(p.pad_first && !p.x_nchw && p.shape.height == 601 && p.shape.width == 601 && p.shape.out_h == 300);
    HV_CHECK(p.pad.kernel_h == 1 && p.pad.out_channels == 3 && p.pad.out_h == 601 && p.pad.pad_top == 0);
    for (int warp : hvt::warp_sizes()) {
        vendor_padding_case(warp, {1, 3, 38, 40, 8, 3, 3, 2, 2, 0, 1, 0, 1}, true);   // stem-like (TF SAME, even)
        vendor_padding_case(warp, {2, 5, 12, 9, 6, 5, 3, 2, 1, 1, 2, 2, 0}, false);   // NHWC, right unread
        vendor_padding_case(warp, {1, 4, 10, 10, 3, 4, 4, 3, 3, 0, 3, 2, 0}, true);   // bottom pad partly unread
    }
}
