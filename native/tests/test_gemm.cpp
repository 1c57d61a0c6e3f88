// test_gemm.cpp: hv_gemm and hv_linear against the float64 reference on fresh random inputs, at warp 32
// and 64 (emulator), for sizes that are not multiples of the 64×64 tile or the 16-deep k step, every
// transpose combination, batches with shared operands (stride 0), beta != 0, and every activation.
// Bound: ‖Δ‖/‖ref‖ ≤ 1e-5 (fp32 accumulation over k ≤ 1025).
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "device.h"
#include "reference.h"
#include "reference_transformer.h"

namespace {

constexpr double kBound = 1e-5;

const char* activation_name(int a) {
    static const char* names[] = {"none", "gelu", "relu", "relu6", "silu"};
    return names[a];
}

void gemm_case(int warp, hvt::GemmShape s, float alpha, float beta, bool with_bias) {
    hvt::Context ctx(warp);
    const size_t a_size = s.batch ? (s.batch - 1) * s.stride_a + s.m * s.k : 0;
    const size_t b_size = s.batch ? (s.batch - 1) * s.stride_b + s.k * s.n : 0;
    const size_t c_size = s.batch ? (s.batch - 1) * s.stride_c + s.m * s.n : 0;
    const std::vector<float> a = hvt::random_floats(a_size, -1, 1), b = hvt::random_floats(b_size, -1, 1);
    const std::vector<float> bias = with_bias ? hvt::random_floats(s.n, -1, 1) : std::vector<float>{};
    std::vector<float> c = hvt::random_floats(c_size, -1, 1);
    if (beta == 0.0f) c.assign(c_size, std::numeric_limits<float>::quiet_NaN());  // must not be read
    hvt::Buffer ba(ctx, a), bb(ctx, b), bbias(ctx, with_bias ? bias : std::vector<float>(1)), bc(ctx, c);
    HV_EXPECT_OK(hv_gemm(ctx.get(), ba.get(), bb.get(), with_bias ? bbias.get() : nullptr, bc.get(), int64_t(s.batch),
                         int64_t(s.m), int64_t(s.n), int64_t(s.k), int64_t(s.stride_a), int64_t(s.stride_b),
                         int64_t(s.stride_c), s.trans_a, s.trans_b, alpha, beta));
    std::vector<double> want = hvt::ref_gemm(a, b, bias, c, s, alpha, beta, HV_ACTIVATION_NONE);
    std::vector<float> got = bc.download(c_size);
    // Gaps between batch items (stride_c > m·n) are not written: compare the written elements only.
    std::vector<float> g;
    std::vector<double> w;
    for (size_t z = 0; z < s.batch; ++z)
        for (size_t e = 0; e < s.m * s.n; ++e) {
            g.push_back(got[z * s.stride_c + e]);
            w.push_back(want[z * s.stride_c + e]);
        }
    char label[160];
    std::snprintf(label, sizeof label, "gemm warp %d b%zu %zux%zux%zu t%d%d a%g b%g%s", ctx.warp_size(), s.batch, s.m,
                  s.n, s.k, s.trans_a, s.trans_b, alpha, beta, with_bias ? " bias" : "");
    hvt::expect_relative(label, g, w, kBound);
}

void linear_case(int warp, size_t rows, size_t in, size_t out, int activation, bool with_bias) {
    hvt::Context ctx(warp);
    const std::vector<float> x = hvt::random_floats(rows * in, -1, 1), w = hvt::random_floats(out * in, -0.2f, 0.2f);
    const std::vector<float> bias = with_bias ? hvt::random_floats(out, -1, 1) : std::vector<float>{};
    hvt::Buffer bx(ctx, x), bw(ctx, w), bb(ctx, with_bias ? bias : std::vector<float>(1)), by(ctx, rows * out);
    HV_EXPECT_OK(hv_linear(ctx.get(), bx.get(), bw.get(), with_bias ? bb.get() : nullptr, by.get(), int64_t(rows),
                           int64_t(in), int64_t(out), hv_activation(activation)));
    const hvt::GemmShape s{1, rows, out, in, 0, 0, 0, false, true};
    const auto want = hvt::ref_gemm(x, w, bias, std::vector<float>(rows * out), s, 1.0, 0.0, activation);
    char label[160];
    std::snprintf(label, sizeof label, "linear warp %d %zux%zu->%zu %s%s", ctx.warp_size(), rows, in, out,
                  activation_name(activation), with_bias ? " bias" : "");
    hvt::expect_relative(label, by.download(rows * out), want, kBound);
}

}  // namespace

HV_TEST(gemm_transposes_and_odd_sizes) {
    for (int warp : hvt::warp_sizes())
        for (int ta = 0; ta < 2; ++ta)
            for (int tb = 0; tb < 2; ++tb) {
                gemm_case(warp, {1, 33, 65, 17, 0, 0, 0, bool(ta), bool(tb)}, 1.0f, 0.0f, false);
                gemm_case(warp, {1, 1, 1, 1, 0, 0, 0, bool(ta), bool(tb)}, 1.0f, 0.0f, false);
                gemm_case(warp, {1, 70, 3, 1025, 0, 0, 0, bool(ta), bool(tb)}, 0.5f, 0.0f, true);
            }
}

HV_TEST(gemm_beta_and_bias) {
    for (int warp : hvt::warp_sizes()) {
        gemm_case(warp, {1, 97, 130, 64, 0, 0, 0, false, false}, 1.5f, -0.75f, true);
        gemm_case(warp, {1, 64, 64, 0, 0, 0, 0, false, true}, 1.0f, 2.0f, true);  // k = 0: beta·C + bias
    }
}

HV_TEST(gemm_batched_strides) {
    for (int warp : hvt::warp_sizes()) {
        // Attention-like: per-batch A and B, outputs with a gap between items.
        gemm_case(warp, {3, 33, 29, 40, 33 * 40, 40 * 29, 33 * 29 + 5, false, true}, 1.0f, 0.0f, false);
        // One shared weight (stride_b 0) over the batch, transposed A, beta accumulate.
        gemm_case(warp, {4, 17, 65, 31, 31 * 17, 0, 17 * 65, true, false}, 0.25f, 1.0f, true);
    }
}

HV_TEST(linear_vit_shapes) {
    for (int warp : hvt::warp_sizes()) {
        linear_case(warp, 197, 768, 96, HV_ACTIVATION_NONE, true);
        linear_case(warp, 33, 64, 257, HV_ACTIVATION_GELU, true);
    }
}

HV_TEST(linear_activations) {
    for (int warp : hvt::warp_sizes())
        for (int act = HV_ACTIVATION_NONE; act <= HV_ACTIVATION_SILU; ++act) {
            linear_case(warp, 7, 33, 65, act, true);
            linear_case(warp, 5, 100, 3, act, false);
        }
}

HV_TEST(linear_large_preactivations) {
    // Weights scaled so pre-activations reach ±20: ReLU6 clamps, SiLU and GELU tails are exercised.
    for (int warp : hvt::warp_sizes()) {
        hvt::Context ctx(warp);
        const size_t rows = 9, in = 40, out = 70;
        const std::vector<float> x = hvt::random_floats(rows * in, -1, 1), w = hvt::random_floats(out * in, -1, 1);
        for (int act = HV_ACTIVATION_GELU; act <= HV_ACTIVATION_SILU; ++act) {
            hvt::Buffer bx(ctx, x), bw(ctx, w), by(ctx, rows * out);
            HV_EXPECT_OK(hv_linear(ctx.get(), bx.get(), bw.get(), nullptr, by.get(), int64_t(rows), int64_t(in),
                                   int64_t(out), hv_activation(act)));
            const auto want = hvt::ref_gemm(x, w, {}, std::vector<float>(rows * out), {1, rows, out, in, 0, 0, 0, false, true},
                                            1.0, 0.0, act);
            hvt::expect_relative(std::string("linear large inputs ") + activation_name(act) + " warp " +
                                     std::to_string(ctx.warp_size()),
                                 by.download(rows * out), want, kBound);
        }
    }
}
