// test_elementwise.cpp: hv_gelu, hv_add, hv_layer_scale and hv_softmax against float64 references on
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

HV_TEST(elementwise_gelu) {
    for (int warp : hvt::warp_sizes()) {
        hvt::Context ctx(warp);
        for (size_t n : {size_t(1), size_t(1025), size_t(197 * 3072)}) {
            const std::vector<float> x = hvt::random_floats(n, -6, 6);
            std::vector<double> want(n);
            for (size_t i = 0; i < n; ++i) want[i] = hvt::ref_activate(x[i], HV_ACTIVATION_GELU);
            hvt::Buffer bx(ctx, x), by(ctx, n);
            HV_EXPECT_OK(hv_gelu(ctx.get(), bx.get(), by.get(), int64_t(n)));
            hvt::expect_relative(at("gelu", ctx, 1, n), by.download(n), want, 1e-6);
            HV_EXPECT_OK(hv_gelu(ctx.get(), bx.get(), bx.get(), int64_t(n)));
            hvt::expect_relative(at("gelu in place", ctx, 1, n), bx.download(n), want, 1e-6);
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
