// test_precision_conv.cpp: the convolutional-network kernels at float16 and bfloat16 against their float64
// references computed from the rounded inputs (precision.h), warp 32 and 64: depthwise 3x3 stride 1 and
// 5x5 stride 2 with TF "SAME" padding, the dense stem (NCHW, 3 -> 32, 3x3 stride 2) and an NHWC 3x3 conv,
// global average pooling, squeeze-excite (chunked pool, in place); hv_preprocess writing fp16/bf16 (bit-exact:
// the float32 result rounded once); and graph capture of fp16 ops, replayed bit-identical to direct calls.
// Bounds as in test_precision.cpp.
#include <cstring>
#include <string>

#include "conv_reference.h"
#include "device.h"
#include "precision.h"
#include "reference.h"

namespace {

using hvt::TypedBuffer;

std::vector<float> random_rounded(hv_dtype t, size_t n, float lo, float hi) {
    return hvt::rounded(t, hvt::random_floats(n, lo, hi));
}

std::string label(const char* op, const hvt::Context& ctx, const hvt::ConvCase& c) {
    return std::string(op) + " warp " + std::to_string(ctx.warp_size()) + " " + std::to_string(c.batch) + "x" +
           std::to_string(c.height) + "x" + std::to_string(c.width) + "x" + std::to_string(c.in_channels) + " k" +
           std::to_string(c.kernel_h) + " s" + std::to_string(c.stride_h);
}

hvt::ConvCase same_case(size_t batch, size_t size, size_t in, size_t out, size_t k, size_t stride) {
    hvt::ConvCase c{batch, in, size, size, out, k, k, stride, stride, 0, 0, 0, 0};
    hvt::same_padding(size, k, stride, c.top, c.bottom);
    hvt::same_padding(size, k, stride, c.left, c.right);
    return c;
}

hv_padding padding_of(const hvt::ConvCase& c) {
    return hv_padding{int64_t(c.top), int64_t(c.bottom), int64_t(c.left), int64_t(c.right)};
}

}  // namespace

HV_TEST(precision_depthwise_conv2d) {
    for (int warp : hvt::warp_sizes())
        for (hv_dtype t : hvt::half_dtypes()) {
            hvt::Context ctx(warp);
            for (const hvt::ConvCase& c : {same_case(1, 38, 40, 40, 3, 1), same_case(2, 19, 33, 33, 5, 2)}) {
                const size_t C = c.in_channels, n_out = c.batch * c.out_h() * c.out_w() * C;
                const auto x = random_rounded(t, c.batch * c.height * c.width * C, -2, 2);
                const auto w = random_rounded(t, C * c.kernel_h * c.kernel_w, -0.5f, 0.5f);
                const auto b = random_rounded(t, C, -1, 1);
                TypedBuffer bx(ctx, t, x), bw(ctx, t, w), bb(ctx, t, b), by(ctx, t, n_out);
                HV_EXPECT_OK(hv_depthwise_conv2d(ctx.get(), bx.get(), bw.get(), bb.get(), by.get(), c.batch, c.height,
                                                 c.width, C, c.kernel_h, c.kernel_w, c.stride_h, c.stride_w,
                                                 padding_of(c), HV_ACTIVATION_SILU));
                hvt::expect_rounded(label("depthwise_conv2d", ctx, c), t, by.download(n_out),
                                    hvt::ref_depthwise_conv2d(x, w, b, c, HV_ACTIVATION_SILU), hvt::norm_bound(t));
            }
        }
}

HV_TEST(precision_conv2d) {
    for (int warp : hvt::warp_sizes())
        for (hv_dtype t : hvt::half_dtypes()) {
            hvt::Context ctx(warp);
            struct {
                hvt::ConvCase c;
                bool nchw;
            } cases[] = {{same_case(1, 37, 3, 32, 3, 2), true}, {same_case(2, 9, 20, 24, 3, 1), false}};
            for (auto k : cases) {
                const hvt::ConvCase& c = k.c;
                const size_t n_out = c.batch * c.out_h() * c.out_w() * c.out_channels;
                const auto x = random_rounded(t, c.batch * c.in_channels * c.height * c.width, -2, 2);
                const auto w = random_rounded(t, c.out_channels * c.in_channels * c.kernel_h * c.kernel_w, -0.3f, 0.3f);
                const auto b = random_rounded(t, c.out_channels, -1, 1);
                TypedBuffer bx(ctx, t, x), bw(ctx, t, w), bb(ctx, t, b), by(ctx, t, n_out);
                HV_EXPECT_OK(hv_conv2d(ctx.get(), bx.get(), bw.get(), bb.get(), by.get(), c.batch, c.in_channels,
                                       c.height, c.width, c.out_channels, c.kernel_h, c.kernel_w, c.stride_h,
                                       c.stride_w, padding_of(c), k.nchw ? HV_LAYOUT_NCHW : HV_LAYOUT_NHWC,
                                       HV_ACTIVATION_RELU6));
                hvt::expect_rounded(label(k.nchw ? "conv2d NCHW" : "conv2d NHWC", ctx, c), t, by.download(n_out),
                                    hvt::ref_conv2d(x, k.nchw, w, b, c, HV_ACTIVATION_RELU6), hvt::norm_bound(t));
            }
        }
}

HV_TEST(precision_pool_and_squeeze_excite) {
    for (int warp : hvt::warp_sizes())
        for (hv_dtype t : hvt::half_dtypes()) {
            hvt::Context ctx(warp);
            const size_t batch = 2, height = 40, width = 33, channels = 48, reduced = 12, pixels = height * width;
            const size_t n = batch * pixels * channels;
            std::vector<float> x = hvt::random_floats(n, -1, 1);
            const auto offsets = hvt::random_floats(channels, -2, 2);
            for (size_t i = 0; i < n; ++i) x[i] += offsets[i % channels];
            x = hvt::rounded(t, x);
            TypedBuffer bx(ctx, t, x), bp(ctx, t, batch * channels);
            HV_EXPECT_OK(hv_global_avg_pool(ctx.get(), bx.get(), bp.get(), batch, height, width, channels));
            hvt::expect_rounded("global_avg_pool warp " + std::to_string(ctx.warp_size()) + " 2x40x33x48", t,
                                bp.download(batch * channels), hvt::ref_global_avg_pool(x, batch, pixels, channels),
                                hvt::norm_bound(t));

            const auto w1 = random_rounded(t, reduced * channels, -0.5f, 0.5f), b1 = random_rounded(t, reduced, -0.5f, 0.5f);
            const auto w2 = random_rounded(t, channels * reduced, -0.5f, 0.5f), b2 = random_rounded(t, channels, -0.5f, 0.5f);
            size_t ws_bytes = 0;
            HV_EXPECT_OK(hv_squeeze_excite_workspace_size(batch, height, width, channels, reduced, &ws_bytes));
            TypedBuffer bw1(ctx, t, w1), bb1(ctx, t, b1), bw2(ctx, t, w2), bb2(ctx, t, b2);
            hv_buffer* ws = nullptr;
            HV_EXPECT_OK(hv_buffer_alloc(ctx.get(), ws_bytes, &ws));
            HV_EXPECT_OK(hv_squeeze_excite(ctx.get(), bx.get(), bw1.get(), bb1.get(), bw2.get(), bb2.get(), ws, bx.get(),
                                           batch, height, width, channels, reduced, HV_ACTIVATION_SILU));
            hv_buffer_free(ws);
            hvt::expect_rounded("squeeze_excite warp " + std::to_string(ctx.warp_size()) + " 2x40x33x48 r12 in place",
                                t, bx.download(n),
                                hvt::ref_squeeze_excite(x, w1, b1, w2, b2, batch, pixels, channels, reduced,
                                                        HV_ACTIVATION_SILU),
                                hvt::norm_bound(t));
        }
}

HV_TEST(precision_preprocess) {
    for (int warp : hvt::warp_sizes()) {
        hvt::Context ctx(warp);
        const int64_t height = 30, width = 41, out = 24;
        std::vector<uint8_t> pixels(size_t(height * width * 3));
        for (auto& p : pixels) p = uint8_t(hvt::rng()() % 256);
        const std::vector<float> table = hvt::random_floats(768, -3, 3);
        hv_buffer* image = nullptr;
        HV_EXPECT_OK(hv_buffer_alloc(ctx.get(), pixels.size(), &image));
        HV_EXPECT_OK(hv_buffer_upload(image, 0, pixels.data(), pixels.size()));
        const size_t per_image = size_t(3 * out * out);
        for (hv_layout layout : {HV_LAYOUT_NCHW, HV_LAYOUT_NHWC}) {
            TypedBuffer reference(ctx, HV_DTYPE_FLOAT32, 2 * per_image);
            HV_EXPECT_OK(hv_preprocess(ctx.get(), image, table.data(), reference.get(), height, width, 32, 32, 4, 4,
                                       out, out, 1, HV_RESAMPLE_BICUBIC, layout));
            const std::vector<float> f = reference.download(2 * per_image);
            for (hv_dtype t : hvt::half_dtypes()) {
                TypedBuffer y(ctx, t, 2 * per_image);
                HV_EXPECT_OK(hv_preprocess(ctx.get(), image, table.data(), y.get(), height, width, 32, 32, 4, 4, out,
                                           out, 1, HV_RESAMPLE_BICUBIC, layout));
                const std::vector<uint16_t> got = y.download_bits(2 * per_image);
                size_t bad = 0;
                for (size_t i = per_image; i < 2 * per_image; ++i) bad += got[i] != hvt::ref_encode(t, f[i]);
                HV_CHECK(bad == 0) << "preprocess " << hvt::dtype_label(t) << ": " << bad
                                   << " values are not the float32 result rounded once";
            }
        }
        hv_buffer_free(image);
    }
}

HV_TEST(precision_graph_replay) {
    for (int warp : hvt::warp_sizes())
        for (hv_dtype t : hvt::half_dtypes()) {
            hvt::Context ctx(warp);
            const size_t rows = 33, in = 40, out = 24;
            const auto x = random_rounded(t, rows * in, -1, 1), w = random_rounded(t, out * in, -0.3f, 0.3f);
            const auto b = random_rounded(t, out, -1, 1);
            TypedBuffer bx(ctx, t, x), bw(ctx, t, w), bb(ctx, t, b), bh(ctx, t, rows * out), by(ctx, t, rows * out);
            auto ops = [&] {
                HV_EXPECT_OK(hv_linear(ctx.get(), bx.get(), bw.get(), bb.get(), bh.get(), rows, in, out,
                                       HV_ACTIVATION_NONE));
                HV_EXPECT_OK(hv_activate(ctx.get(), bh.get(), bh.get(), rows * out, HV_ACTIVATION_GELU));
                HV_EXPECT_OK(hv_layer_norm(ctx.get(), bh.get(), nullptr, nullptr, by.get(), rows, out, 1e-6f));
            };
            ops();
            const std::vector<uint16_t> direct = by.download_bits(rows * out);
            HV_EXPECT_OK(hv_graph_begin(ctx.get()));
            ops();
            hv_graph* graph = nullptr;
            HV_EXPECT_OK(hv_graph_end(ctx.get(), &graph));
            HV_EXPECT_OK(hv_buffer_upload(by.get(), 0, std::vector<uint16_t>(rows * out, 0).data(), rows * out * 2));
            HV_EXPECT_OK(hv_graph_launch(graph));
            HV_CHECK(by.download_bits(rows * out) == direct) << "graph replay at " << hvt::dtype_label(t)
                                                             << " differs from the direct calls";
            hv_graph_destroy(graph);
        }
}
