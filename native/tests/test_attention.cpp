// test_attention.cpp: hv_attention against the float64 reference (softmax over the full row, then ×V) on
// fresh random inputs, at warp 32 and 64 (emulator): ViT-B's 197 tokens × 12 heads, one head, token
// counts that are not multiples of the 32-row/32-key tiles (1, 33, 1025), head sizes 16, 33, 64, 80,
// 128 (both kernel instances), with and without BEiT's relative position bias.
// Bound: ‖Δ‖/‖ref‖ ≤ 1e-5.
#include <cmath>
#include <cstdio>

#include "device.h"
#include "reference.h"
#include "reference_transformer.h"

namespace {

constexpr double kBound = 1e-5;

struct Case {
    size_t batch, tokens, heads, head_dim;
};

void attention_case(int warp, Case c, bool with_bias, float qk_range = 1.0f) {
    hvt::Context ctx(warp);
    const size_t d_model = c.heads * c.head_dim;
    std::vector<float> qkv = hvt::random_floats(c.batch * c.tokens * 3 * d_model, -1, 1);
    // Larger q and k give peaked softmax rows, which is where a wrong running max would show.
    for (size_t t = 0; t < c.batch * c.tokens; ++t)
        for (size_t e = 0; e < 2 * d_model; ++e) qkv[t * 3 * d_model + e] *= qk_range;
    const std::vector<float> bias = with_bias ? hvt::random_floats(c.heads * c.tokens * c.tokens, -2, 2) : std::vector<float>{};
    const float scale = 1.0f / std::sqrt(float(c.head_dim));
    hvt::Buffer bq(ctx, qkv), bb(ctx, with_bias ? bias : std::vector<float>(1)), bo(ctx, c.batch * c.tokens * d_model);
    HV_EXPECT_OK(hv_attention(ctx.get(), bq.get(), with_bias ? bb.get() : nullptr, bo.get(), int64_t(c.batch),
                              int64_t(c.tokens), int64_t(c.heads), int64_t(c.head_dim), scale));
    const auto want = hvt::ref_attention(qkv, bias, c.batch, c.tokens, c.heads, c.head_dim, double(scale));
    char label[160];
    std::snprintf(label, sizeof label, "attention warp %d B%zu T%zu H%zu dh%zu%s%s", ctx.warp_size(), c.batch, c.tokens,
                  c.heads, c.head_dim, with_bias ? " bias" : "", qk_range != 1.0f ? " peaked" : "");
    hvt::expect_relative(label, bo.download(c.batch * c.tokens * d_model), want, kBound);
}

}  // namespace

HV_TEST(attention_vit_base) {
    for (int warp : hvt::warp_sizes()) {
        attention_case(warp, {2, 197, 12, 64}, false);
        attention_case(warp, {1, 197, 12, 64}, true);
    }
}

HV_TEST(attention_odd_shapes) {
    for (int warp : hvt::warp_sizes()) {
        attention_case(warp, {1, 1, 1, 64}, false);
        attention_case(warp, {3, 33, 1, 33}, true);
        attention_case(warp, {1, 1025, 1, 16}, false);
        attention_case(warp, {2, 50, 3, 80}, true);
        attention_case(warp, {1, 65, 2, 128}, false);
    }
}

HV_TEST(attention_peaked_softmax) {
    for (int warp : hvt::warp_sizes()) attention_case(warp, {1, 97, 2, 64}, true, 4.0f);
}
