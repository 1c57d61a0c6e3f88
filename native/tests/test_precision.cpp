// test_precision.cpp: the transformer kernels at float16 and bfloat16, each against its float64 reference
// computed from the rounded inputs (precision.h), at warp 32 and 64: LayerNorm (with offsets, rows of
// |x| ~ 300 whose fp16 sum of squares would overflow, the fused residual sum), GEMM (every transpose pair,
// batched with stride 0 and gaps, beta != 0, bias), linear with every activation, attention (bias, odd
// T and dh), softmax, add, layer scale, activate (every activation), batch norm (both layouts), mean
// tokens; the copies (patch gather, prepend, slice) must be bit-exact. Bounds: per element one rounding
// (1.01u|want| + 1e-5 max|want|) and ‖Δ‖/‖want‖ ≤ 2e-3 (fp16) / 1.6e-2 (bf16); each case prints both.
#include <cmath>
#include <string>

#include "device.h"
#include "precision.h"
#include "reference.h"
#include "reference_transformer.h"

namespace {

using hvt::TypedBuffer;

std::string at(const char* op, const hvt::Context& ctx, const std::string& shape) {
    return std::string(op) + " warp " + std::to_string(ctx.warp_size()) + " " + shape;
}

std::string dims(size_t a, size_t b) { return std::to_string(a) + "x" + std::to_string(b); }

std::vector<float> random_rounded(hv_dtype t, size_t n, float lo, float hi) {
    return hvt::rounded(t, hvt::random_floats(n, lo, hi));
}

void expect_same(const std::string& what, hv_dtype t, const std::vector<float>& got, const std::vector<float>& want) {
    size_t bad = 0;
    for (size_t i = 0; i < got.size(); ++i) bad += got[i] != want[i];
    HV_CHECK(got.size() == want.size() && bad == 0) << what << " " << hvt::dtype_label(t) << ": " << bad
                                                    << " elements differ from the exact copy";
    std::printf("  precision %-62s exact\n", (what + " " + hvt::dtype_label(t)).c_str());
}

}  // namespace

HV_TEST(precision_layer_norm) {
    for (int warp : hvt::warp_sizes())
        for (hv_dtype t : hvt::half_dtypes()) {
            hvt::Context ctx(warp);
            struct {
                size_t rows, cols;
                float lo, hi, offset;
            } cases[] = {{7, 33, -1, 1, 0}, {197, 768, -2, 2, 40}, {3, 1025, -1, 1, -60}, {4, 768, -300, 300, 0},
                         {2, 768, 250, 350, 0}};
            for (auto c : cases) {
                const size_t n = c.rows * c.cols;
                std::vector<float> x = hvt::random_floats(n, c.lo, c.hi);
                for (float& v : x) v += c.offset;
                x = hvt::rounded(t, x);
                const auto gamma = random_rounded(t, c.cols, 0.5f, 1.5f), beta = random_rounded(t, c.cols, -0.5f, 0.5f);
                const auto want = hvt::ref_layer_norm(x, nullptr, gamma, beta, c.rows, c.cols, double(1e-6f));
                TypedBuffer bx(ctx, t, x), bg(ctx, t, gamma), bb(ctx, t, beta), by(ctx, t, n);
                HV_EXPECT_OK(hv_layer_norm(ctx.get(), bx.get(), bg.get(), bb.get(), by.get(), c.rows, c.cols, 1e-6f));
                const std::string shape = dims(c.rows, c.cols) + " |x|<=" + std::to_string(int(std::fabs(c.offset) +
                                                                                                std::max(-c.lo, c.hi)));
                hvt::expect_rounded(at("layer_norm", ctx, shape), t, by.download(n), want, hvt::norm_bound(t));
                // The fused residual step: sum = x + r written (rounded), y = LayerNorm of the float sum.
                const auto r = random_rounded(t, n, -1, 1);
                std::vector<double> want_sum;
                const auto want_y = hvt::ref_layer_norm(x, &r, gamma, beta, c.rows, c.cols, double(1e-6f), &want_sum);
                TypedBuffer br(ctx, t, r), bs(ctx, t, n);
                HV_EXPECT_OK(hv_add_layer_norm(ctx.get(), bx.get(), br.get(), bg.get(), bb.get(), bs.get(), by.get(),
                                               c.rows, c.cols, 1e-6f));
                hvt::expect_rounded(at("add_layer_norm y", ctx, shape), t, by.download(n), want_y, hvt::norm_bound(t));
                hvt::expect_rounded(at("add_layer_norm sum", ctx, shape), t, bs.download(n), want_sum,
                                    hvt::norm_bound(t));
            }
        }
}

HV_TEST(precision_gemm) {
    for (int warp : hvt::warp_sizes())
        for (hv_dtype t : hvt::half_dtypes()) {
            hvt::Context ctx(warp);
            struct {
                size_t batch, m, n, k, stride_a, stride_b, stride_c;
                bool trans_a, trans_b;
                float beta;
            } cases[] = {{1, 70, 33, 100, 0, 0, 0, false, false, 0.0f}, {1, 70, 33, 100, 0, 0, 0, true, true, 0.5f},
                         {1, 64, 65, 257, 0, 0, 0, false, true, 0.0f}, {1, 17, 64, 64, 0, 0, 0, true, false, 1.0f},
                         {3, 20, 24, 36, 20 * 36 + 5, 0, 20 * 24 + 3, false, true, 0.0f}};
            for (auto c : cases) {
                const hvt::GemmShape s{c.batch, c.m, c.n, c.k, c.stride_a, c.stride_b, c.stride_c, c.trans_a, c.trans_b};
                const size_t na = (c.batch - 1) * c.stride_a + c.m * c.k, nb = (c.batch - 1) * c.stride_b + c.k * c.n;
                const size_t nc = (c.batch - 1) * c.stride_c + c.m * c.n;
                const auto a = random_rounded(t, na, -1, 1), b = random_rounded(t, nb, -1, 1);
                const auto bias = random_rounded(t, c.n, -1, 1), c0 = random_rounded(t, nc, -1, 1);
                const auto want = hvt::ref_gemm(a, b, bias, c0, s, 1.0, c.beta, HV_ACTIVATION_NONE);
                TypedBuffer ba(ctx, t, a), bb(ctx, t, b), bbias(ctx, t, bias), bc(ctx, t, c0);
                HV_EXPECT_OK(hv_gemm(ctx.get(), ba.get(), bb.get(), bbias.get(), bc.get(), c.batch, c.m, c.n, c.k,
                                     c.stride_a, c.stride_b, c.stride_c, c.trans_a, c.trans_b, 1.0f, c.beta));
                // Gaps between batch items keep their initial contents (want copies c0 there).
                const std::string shape = std::to_string(c.batch) + "x" + dims(c.m, c.n) + "x" + std::to_string(c.k) +
                                          (c.trans_a ? " Ta" : "") + (c.trans_b ? " Tb" : "") +
                                          (c.beta != 0 ? " beta" : "");
                hvt::expect_rounded(at("gemm", ctx, shape), t, bc.download(nc), want, hvt::norm_bound(t));
            }
        }
}

HV_TEST(precision_linear) {
    for (int warp : hvt::warp_sizes())
        for (hv_dtype t : hvt::half_dtypes()) {
            hvt::Context ctx(warp);
            const size_t rows = 67, in = 96, out = 40;
            const auto x = random_rounded(t, rows * in, -1, 1), w = random_rounded(t, out * in, -0.3f, 0.3f);
            const auto bias = random_rounded(t, out, -1, 1);
            const hvt::GemmShape s{1, rows, out, in, 0, 0, 0, false, true};
            TypedBuffer bx(ctx, t, x), bw(ctx, t, w), bb(ctx, t, bias), by(ctx, t, rows * out);
            for (int act = HV_ACTIVATION_NONE; act <= HV_ACTIVATION_SIGMOID; ++act) {
                const auto want = hvt::ref_gemm(x, w, bias, std::vector<float>(rows * out), s, 1.0, 0.0, act);
                HV_EXPECT_OK(hv_linear(ctx.get(), bx.get(), bw.get(), bb.get(), by.get(), rows, in, out,
                                       hv_activation(act)));
                hvt::expect_rounded(at("linear", ctx, dims(rows, out) + " act " + std::to_string(act)), t,
                                    by.download(rows * out), want, hvt::norm_bound(t));
            }
        }
}

HV_TEST(precision_attention) {
    for (int warp : hvt::warp_sizes())
        for (hv_dtype t : hvt::half_dtypes()) {
            hvt::Context ctx(warp);
            struct {
                size_t batch, tokens, heads, dh;
                bool bias;
            } cases[] = {{1, 197, 2, 64, true}, {2, 33, 3, 33, false}, {1, 40, 1, 128, true}};
            for (auto c : cases) {
                const size_t d = c.heads * c.dh, nq = c.batch * c.tokens * 3 * d, no = c.batch * c.tokens * d;
                const auto qkv = random_rounded(t, nq, -2, 2);
                const auto bias = c.bias ? random_rounded(t, c.heads * c.tokens * c.tokens, -1, 1) : std::vector<float>{};
                const double scale = 1.0 / std::sqrt(double(c.dh));
                const auto want = hvt::ref_attention(qkv, bias, c.batch, c.tokens, c.heads, c.dh, double(float(scale)));
                TypedBuffer bq(ctx, t, qkv), bo(ctx, t, no), bb(ctx, t, c.bias ? bias : std::vector<float>(1));
                HV_EXPECT_OK(hv_attention(ctx.get(), bq.get(), c.bias ? bb.get() : nullptr, bo.get(), c.batch, c.tokens,
                                          c.heads, c.dh, float(scale)));
                const std::string shape = "B" + std::to_string(c.batch) + " T" + std::to_string(c.tokens) + " H" +
                                          std::to_string(c.heads) + " dh" + std::to_string(c.dh) + (c.bias ? " bias" : "");
                hvt::expect_rounded(at("attention", ctx, shape), t, bo.download(no), want, hvt::norm_bound(t));
            }
        }
}

HV_TEST(precision_elementwise) {
    for (int warp : hvt::warp_sizes())
        for (hv_dtype t : hvt::half_dtypes()) {
            hvt::Context ctx(warp);
            const size_t rows = 2 * 197, cols = 77, b_rows = 197, n = rows * cols;
            const auto a = random_rounded(t, n, -4, 4), b = random_rounded(t, b_rows * cols, -4, 4);
            std::vector<double> want(n);
            for (size_t i = 0; i < n; ++i) want[i] = double(a[i]) + b[i % (b_rows * cols)];
            TypedBuffer ba(ctx, t, a), bb(ctx, t, b), by(ctx, t, n);
            HV_EXPECT_OK(hv_add(ctx.get(), ba.get(), bb.get(), by.get(), rows, cols, b_rows));
            hvt::expect_rounded(at("add", ctx, dims(rows, cols)), t, by.download(n), want, hvt::norm_bound(t));

            const auto gamma = random_rounded(t, cols, 0.05f, 0.2f);
            for (size_t i = 0; i < n; ++i) want[i] = double(a[i]) * gamma[i % cols] + b[i % (b_rows * cols)];
            TypedBuffer bg(ctx, t, gamma);
            std::vector<float> residual(n);
            for (size_t i = 0; i < n; ++i) residual[i] = b[i % (b_rows * cols)];
            TypedBuffer bres(ctx, t, residual);
            HV_EXPECT_OK(hv_layer_scale(ctx.get(), ba.get(), bg.get(), bres.get(), bres.get(), rows, cols));
            hvt::expect_rounded(at("layer_scale + residual", ctx, dims(rows, cols)), t, bres.download(n), want,
                                hvt::norm_bound(t));

            std::vector<float> logits = random_rounded(t, n, -8, 8);
            for (size_t i = 0; i < cols; ++i) logits[i] = hvt::rounded(t, {logits[i] + 80.0f})[0];
            TypedBuffer bl(ctx, t, logits);
            HV_EXPECT_OK(hv_softmax(ctx.get(), bl.get(), bl.get(), rows, cols));
            hvt::expect_rounded(at("softmax", ctx, dims(rows, cols)), t, bl.download(n),
                                hvt::ref_softmax(logits, rows, cols), hvt::norm_bound(t));

            for (int act = HV_ACTIVATION_NONE; act <= HV_ACTIVATION_SIGMOID; ++act) {
                for (size_t i = 0; i < n; ++i) want[i] = hvt::ref_activate(a[i], act);
                HV_EXPECT_OK(hv_activate(ctx.get(), ba.get(), by.get(), n, hv_activation(act)));
                hvt::expect_rounded(at("activate", ctx, "act " + std::to_string(act)), t, by.download(n), want,
                                    hvt::norm_bound(t));
            }
        }
}

HV_TEST(precision_batch_norm) {
    for (int warp : hvt::warp_sizes())
        for (hv_dtype t : hvt::half_dtypes()) {
            hvt::Context ctx(warp);
            const size_t batch = 2, channels = 40, spatial = 7 * 7, n = batch * channels * spatial;
            const auto x = random_rounded(t, n, -3, 3), mean = random_rounded(t, channels, -1, 1);
            const auto var = random_rounded(t, channels, 0.1f, 4), gamma = random_rounded(t, channels, 0.5f, 2);
            const auto beta = random_rounded(t, channels, -1, 1);
            TypedBuffer bx(ctx, t, x), bm(ctx, t, mean), bv(ctx, t, var), bg(ctx, t, gamma), bb(ctx, t, beta);
            TypedBuffer by(ctx, t, n);
            for (hv_layout layout : {HV_LAYOUT_NCHW, HV_LAYOUT_NHWC}) {
                const bool nchw = layout == HV_LAYOUT_NCHW;
                std::vector<double> want(n);
                for (size_t i = 0; i < n; ++i) {
                    const size_t c = nchw ? i / spatial % channels : i % channels;
                    want[i] = hvt::ref_activate(
                        (x[i] - double(mean[c])) / std::sqrt(double(var[c]) + double(1e-5f)) * gamma[c] + beta[c],
                        HV_ACTIVATION_RELU6);
                }
                HV_EXPECT_OK(hv_batch_norm(ctx.get(), bx.get(), bm.get(), bv.get(), bg.get(), bb.get(), by.get(), batch,
                                           channels, spatial, layout, 1e-5f, HV_ACTIVATION_RELU6));
                hvt::expect_rounded(at(nchw ? "batch_norm NCHW" : "batch_norm NHWC", ctx, "relu6"), t, by.download(n),
                                    want, hvt::norm_bound(t));
            }
        }
}

HV_TEST(precision_tokens) {
    for (int warp : hvt::warp_sizes())
        for (hv_dtype t : hvt::half_dtypes()) {
            hvt::Context ctx(warp);
            const size_t batch = 2, channels = 3, height = 32, width = 48, patch = 16;
            const size_t npix = batch * channels * height * width;
            const auto pixels = random_rounded(t, npix, -2, 2);
            const auto want_patches = hvt::ref_patch_embed(pixels, batch, channels, height, width, patch);
            TypedBuffer bp(ctx, t, pixels), bpatches(ctx, t, npix);
            HV_EXPECT_OK(hv_patch_embed(ctx.get(), bp.get(), bpatches.get(), batch, channels, height, width, patch));
            expect_same(at("patch_embed", ctx, "2x3x32x48 p16"), t, bpatches.download(npix),
                        std::vector<float>(want_patches.begin(), want_patches.end()));

            const size_t tokens = 6, dim = 40;
            const auto token = random_rounded(t, dim, -1, 1), x = random_rounded(t, batch * tokens * dim, -1, 1);
            std::vector<float> want((tokens + 1) * dim * batch);
            for (size_t b = 0; b < batch; ++b)
                for (size_t r = 0; r <= tokens; ++r)
                    for (size_t c = 0; c < dim; ++c)
                        want[(b * (tokens + 1) + r) * dim + c] = r == 0 ? token[c] : x[(b * tokens + r - 1) * dim + c];
            TypedBuffer bt(ctx, t, token), bx(ctx, t, x), by(ctx, t, want.size()), bs(ctx, t, batch * dim);
            HV_EXPECT_OK(hv_prepend_token(ctx.get(), bt.get(), bx.get(), by.get(), batch, tokens, dim));
            expect_same(at("prepend_token", ctx, "2x6x40"), t, by.download(want.size()), want);
            std::vector<float> want_slice(batch * dim);
            for (size_t b = 0; b < batch; ++b)
                for (size_t c = 0; c < dim; ++c) want_slice[b * dim + c] = x[(b * tokens + 2) * dim + c];
            HV_EXPECT_OK(hv_slice_token(ctx.get(), bx.get(), bs.get(), batch, tokens, dim, 2));
            expect_same(at("slice_token", ctx, "2x6x40 index 2"), t, bs.download(batch * dim), want_slice);

            const size_t long_tokens = 197, wide = 300;
            const auto xs = random_rounded(t, batch * long_tokens * wide, -1, 3);
            std::vector<double> want_mean(batch * wide, 0.0);
            for (size_t b = 0; b < batch; ++b)
                for (size_t c = 0; c < wide; ++c) {
                    for (size_t r = 1; r < long_tokens; ++r) want_mean[b * wide + c] += xs[(b * long_tokens + r) * wide + c];
                    want_mean[b * wide + c] /= double(long_tokens - 1);
                }
            TypedBuffer bxs(ctx, t, xs), bm(ctx, t, batch * wide);
            HV_EXPECT_OK(hv_mean_tokens(ctx.get(), bxs.get(), bm.get(), batch, long_tokens, wide, 1));
            hvt::expect_rounded(at("mean_tokens", ctx, "2x197x300 first 1"), t, bm.download(batch * wide), want_mean,
                                hvt::norm_bound(t));
        }
}
