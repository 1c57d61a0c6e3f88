// test_squeeze_excite.cpp: hv_squeeze_excite and hv_global_avg_pool against the float64 reference on fresh
// random inputs, at warp 32 and 64: B7's first SE (300×300×64, reduced 16, SiLU) where the pool runs in
// 64 chunks, maps of 150, 75, 38 and 19 with more channels, in place (y = x), without biases, ReLU; the
// pool on the B7 and MobileNetV1 heads (19×19×2560, 7×7×1024) and odd shapes. Inputs have a per-channel
// offset so the means are not near zero. Tolerance: ‖Δ‖/‖want‖ ≤ 1e-5 plus 1e-4 abs + 1e-3 rel.
#include <cstdio>
#include <string>

#include "conv_reference.h"
#include "device.h"
#include "reference.h"

namespace {

std::vector<float> offset_input(size_t batch, size_t pixels, size_t channels) {
    std::vector<float> x = hvt::random_floats(batch * pixels * channels, -1.0f, 1.0f);
    const std::vector<float> offsets = hvt::random_floats(channels, -2.0f, 2.0f);
    for (size_t i = 0; i < x.size(); ++i) x[i] += offsets[i % channels];
    return x;
}

struct SeCase {
    size_t batch, height, width, channels, reduced;
    hv_activation act;
    bool biases, in_place;
};

void squeeze_excite_case(int warp, const SeCase& c) {
    hvt::Context ctx(warp);
    const size_t pixels = c.height * c.width, n = c.batch * pixels * c.channels;
    const std::vector<float> x = offset_input(c.batch, pixels, c.channels);
    const std::vector<float> w1 = hvt::random_floats(c.reduced * c.channels, -0.5f, 0.5f);
    const std::vector<float> w2 = hvt::random_floats(c.channels * c.reduced, -0.5f, 0.5f);
    const std::vector<float> b1 = c.biases ? hvt::random_floats(c.reduced, -0.5f, 0.5f) : std::vector<float>{};
    const std::vector<float> b2 = c.biases ? hvt::random_floats(c.channels, -0.5f, 0.5f) : std::vector<float>{};
    size_t ws_bytes = 0;
    HV_EXPECT_OK(hv_squeeze_excite_workspace_size(int64_t(c.batch), int64_t(c.height), int64_t(c.width),
                                                  int64_t(c.channels), int64_t(c.reduced), &ws_bytes));
    hvt::Buffer bx(ctx, x), bw1(ctx, w1), bw2(ctx, w2), by(ctx, n), ws(ctx, ws_bytes / sizeof(float));
    hvt::Buffer bb1(ctx, c.biases ? b1 : std::vector<float>(1)), bb2(ctx, c.biases ? b2 : std::vector<float>(1));
    hvt::Buffer& out = c.in_place ? bx : by;
    HV_EXPECT_OK(hv_squeeze_excite(ctx.get(), bx.get(), bw1.get(), c.biases ? bb1.get() : nullptr, bw2.get(),
                                   c.biases ? bb2.get() : nullptr, ws.get(), out.get(), int64_t(c.batch),
                                   int64_t(c.height), int64_t(c.width), int64_t(c.channels), int64_t(c.reduced), c.act));
    char label[160];
    std::snprintf(label, sizeof label, "squeeze_excite warp %d %zux%zux%zux%zu reduced %zu %s%s%s", ctx.warp_size(),
                  c.batch, c.height, c.width, c.channels, c.reduced, c.act == HV_ACTIVATION_SILU ? "silu" : "relu",
                  c.biases ? "" : " no biases", c.in_place ? " in place" : "");
    hvt::expect_conv_close(label, out.download(n),
                           hvt::ref_squeeze_excite(x, w1, b1, w2, b2, c.batch, pixels, c.channels, c.reduced, c.act));
}

void global_avg_pool_case(int warp, size_t batch, size_t height, size_t width, size_t channels) {
    hvt::Context ctx(warp);
    const std::vector<float> x = offset_input(batch, height * width, channels);
    hvt::Buffer bx(ctx, x), by(ctx, batch * channels);
    HV_EXPECT_OK(hv_global_avg_pool(ctx.get(), bx.get(), by.get(), int64_t(batch), int64_t(height), int64_t(width),
                                    int64_t(channels)));
    char label[128];
    std::snprintf(label, sizeof label, "global_avg_pool warp %d %zux%zux%zux%zu", ctx.warp_size(), batch, height,
                  width, channels);
    hvt::expect_conv_close(label, by.download(batch * channels),
                           hvt::ref_global_avg_pool(x, batch, height * width, channels));
}

}  // namespace

HV_TEST(squeeze_excite_efficientnet_b7_maps) {
    for (int warp : hvt::warp_sizes()) {
        squeeze_excite_case(warp, {1, 300, 300, 64, 16, HV_ACTIVATION_SILU, true, false});
        squeeze_excite_case(warp, {1, 150, 150, 40, 10, HV_ACTIVATION_SILU, true, true});
        squeeze_excite_case(warp, {1, 75, 75, 48, 12, HV_ACTIVATION_SILU, true, false});
        squeeze_excite_case(warp, {2, 38, 38, 96, 20, HV_ACTIVATION_SILU, true, false});
        squeeze_excite_case(warp, {1, 19, 19, 960, 40, HV_ACTIVATION_SILU, true, true});
    }
}

HV_TEST(squeeze_excite_odd_shapes) {
    for (int warp : hvt::warp_sizes()) {
        squeeze_excite_case(warp, {3, 7, 5, 33, 3, HV_ACTIVATION_RELU, false, true});
        squeeze_excite_case(warp, {1, 1, 1, 1, 1, HV_ACTIVATION_SILU, true, false});
        squeeze_excite_case(warp, {2, 13, 11, 100, 37, HV_ACTIVATION_RELU, true, false});
        squeeze_excite_case(warp, {1, 33, 65, 7, 65, HV_ACTIVATION_SILU, false, false});
    }
}

HV_TEST(squeeze_excite_rejects_bad_arguments) {
    hvt::Context ctx;
    hvt::Buffer x(ctx, 64), w1(ctx, 8), w2(ctx, 8), ws(ctx, 64);
    HV_CHECK(hv_squeeze_excite(ctx.get(), x.get(), w1.get(), nullptr, w2.get(), nullptr, ws.get(), x.get(), 1, 4, 4, 4,
                               2, HV_ACTIVATION_GELU) == HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(std::string(hv_last_error()).find("hv_squeeze_excite: activation") != std::string::npos) << hv_last_error();
    HV_CHECK(hv_squeeze_excite(ctx.get(), x.get(), w1.get(), nullptr, w2.get(), nullptr, x.get(), x.get(), 1, 4, 4, 4,
                               2, HV_ACTIVATION_SILU) == HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(std::string(hv_last_error()).find("workspace must not alias") != std::string::npos) << hv_last_error();
    HV_CHECK(hv_squeeze_excite(ctx.get(), x.get(), w1.get(), nullptr, w2.get(), nullptr, ws.get(), x.get(), 1, 4, 4, 4,
                               3, HV_ACTIVATION_SILU) == HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(std::string(hv_last_error()).find("w_reduce holds") != std::string::npos) << hv_last_error();
    hvt::Buffer y(ctx, 4);
    HV_CHECK(hv_global_avg_pool(ctx.get(), x.get(), y.get(), 1, 0, 4, 4) == HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(std::string(hv_last_error()).find("height * width must be >= 1") != std::string::npos) << hv_last_error();
}

HV_TEST(global_avg_pool_matches_reference) {
    for (int warp : hvt::warp_sizes()) {
        global_avg_pool_case(warp, 1, 19, 19, 2560);
        global_avg_pool_case(warp, 2, 7, 7, 1024);
        global_avg_pool_case(warp, 3, 5, 3, 33);
        global_avg_pool_case(warp, 1, 1, 1, 1);
        global_avg_pool_case(warp, 1, 75, 75, 7);
    }
}
