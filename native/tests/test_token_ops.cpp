// test_token_ops.cpp: hv_patch_embed, hv_prepend_token, hv_slice_token and hv_mean_tokens against float64
// references on fresh random inputs, at warp 32 and 64 (emulator). Copies must be exact; the mean is a
// reduction over ≤ 196 tokens (bound ‖Δ‖/‖ref‖ ≤ 1e-6).
#include <cstdio>

#include "device.h"
#include "reference.h"
#include "reference_transformer.h"

namespace {

void patch_embed_case(int warp, size_t batch, size_t channels, size_t height, size_t width, size_t patch) {
    hvt::Context ctx(warp);
    const std::vector<float> pixels = hvt::random_floats(batch * channels * height * width, -1, 1);
    hvt::Buffer bp(ctx, pixels), bo(ctx, pixels.size());
    HV_EXPECT_OK(hv_patch_embed(ctx.get(), bp.get(), bo.get(), int64_t(batch), int64_t(channels), int64_t(height),
                                int64_t(width), int64_t(patch)));
    char label[128];
    std::snprintf(label, sizeof label, "patch_embed warp %d %zux%zux%zux%zu p%zu", ctx.warp_size(), batch, channels,
                  height, width, patch);
    hvt::expect_relative(label, bo.download(pixels.size()),
                         hvt::ref_patch_embed(pixels, batch, channels, height, width, patch), 0.0);
}

}  // namespace

HV_TEST(tokens_patch_embed) {
    for (int warp : hvt::warp_sizes()) {
        patch_embed_case(warp, 2, 3, 224, 224, 16);
        patch_embed_case(warp, 3, 2, 35, 21, 7);
        patch_embed_case(warp, 1, 1, 5, 5, 1);
    }
}

HV_TEST(tokens_prepend_and_slice) {
    for (int warp : hvt::warp_sizes()) {
        hvt::Context ctx(warp);
        const size_t batch = 3, tokens = 196, dim = 33;
        const std::vector<float> cls = hvt::random_floats(dim, -1, 1), x = hvt::random_floats(batch * tokens * dim, -1, 1);
        hvt::Buffer bc(ctx, cls), bx(ctx, x), by(ctx, batch * (tokens + 1) * dim), bs(ctx, batch * dim);
        HV_EXPECT_OK(hv_prepend_token(ctx.get(), bc.get(), bx.get(), by.get(), batch, tokens, dim));
        std::vector<double> want;
        for (size_t b = 0; b < batch; ++b) {
            want.insert(want.end(), cls.begin(), cls.end());
            want.insert(want.end(), x.begin() + b * tokens * dim, x.begin() + (b + 1) * tokens * dim);
        }
        const std::string w = " warp " + std::to_string(ctx.warp_size());
        hvt::expect_relative("prepend_token" + w, by.download(want.size()), want, 0.0);
        for (size_t index : {size_t(0), size_t(5), tokens}) {
            HV_EXPECT_OK(hv_slice_token(ctx.get(), by.get(), bs.get(), batch, tokens + 1, dim, index));
            std::vector<double> row;
            for (size_t b = 0; b < batch; ++b)
                for (size_t c = 0; c < dim; ++c) row.push_back(want[(b * (tokens + 1) + index) * dim + c]);
            hvt::expect_relative("slice_token " + std::to_string(index) + w, bs.download(batch * dim), row, 0.0);
        }
    }
}

HV_TEST(tokens_mean) {
    for (int warp : hvt::warp_sizes()) {
        hvt::Context ctx(warp);
        for (size_t first : {0, 1}) {
            const size_t batch = 2, tokens = 197, dim = 300;
            const std::vector<float> x = hvt::random_floats(batch * tokens * dim, -1, 3);
            hvt::Buffer bx(ctx, x), by(ctx, batch * dim);
            HV_EXPECT_OK(hv_mean_tokens(ctx.get(), bx.get(), by.get(), batch, tokens, dim, first));
            std::vector<double> want(batch * dim, 0.0);
            for (size_t b = 0; b < batch; ++b)
                for (size_t c = 0; c < dim; ++c) {
                    for (size_t t = first; t < tokens; ++t) want[b * dim + c] += x[(b * tokens + t) * dim + c];
                    want[b * dim + c] /= double(tokens - first);
                }
            hvt::expect_relative("mean_tokens first " + std::to_string(first) + " warp " + std::to_string(ctx.warp_size()),
                                 by.download(batch * dim), want, 1e-6);
        }
    }
}
