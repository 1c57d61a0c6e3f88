// test_layer_norm.cpp: hv_layer_norm and hv_add_layer_norm against the float64 reference, on fresh
// random inputs, at warp sizes 32 and 64 (emulator) for shapes that are not multiples of a block or a
// warp. Tolerance: reductions, 1e-5 absolute + 1e-4 relative; the fused sum is elementwise, 1e-6/1e-5.
#include <cstdio>
#include <string>

#include "device.h"
#include "reference.h"

namespace {

struct Shape {
    size_t rows, cols;
};
constexpr Shape kShapes[] = {{1, 1}, {7, 33}, {197, 768}, {3, 1025}};

std::string label(const char* op, int warp, Shape s, double eps) {
    char b[96];
    std::snprintf(b, sizeof b, "%s warp %d %zux%zu eps %g", op, warp, s.rows, s.cols, eps);
    return b;
}

// Rows get different offsets up to ±64, so a one-pass E[x²] − mean² variance, or a mean summed without a
// shift (768 values near 50 sum with an ulp of ~4e-3), would lose precision and show.
std::vector<float> row_offset_input(Shape s) {
    std::vector<float> x = hvt::random_floats(s.rows * s.cols, -1.0f, 1.0f);
    const std::vector<float> offsets = hvt::random_floats(s.rows, -64.0f, 64.0f);
    for (size_t r = 0; r < s.rows; ++r)
        for (size_t c = 0; c < s.cols; ++c) x[r * s.cols + c] += offsets[r];
    return x;
}

void layer_norm_case(int warp, Shape s, double eps, bool affine) {
    hvt::Context ctx(warp);
    const std::vector<float> x = row_offset_input(s);
    const std::vector<float> gamma = affine ? hvt::random_floats(s.cols, 0.5f, 1.5f) : std::vector<float>{};
    const std::vector<float> beta = affine ? hvt::random_floats(s.cols, -0.5f, 0.5f) : std::vector<float>{};
    hvt::Buffer bx(ctx, x), by(ctx, x.size());
    hvt::Buffer bg(ctx, affine ? gamma : std::vector<float>(1)), bb(ctx, affine ? beta : std::vector<float>(1));
    HV_EXPECT_OK(hv_layer_norm(ctx.get(), bx.get(), affine ? bg.get() : nullptr, affine ? bb.get() : nullptr, by.get(),
                               int64_t(s.rows), int64_t(s.cols), float(eps)));
    const auto want = hvt::ref_layer_norm(x, nullptr, gamma, beta, s.rows, s.cols, double(float(eps)));
    hvt::expect_close(label(affine ? "layer_norm" : "layer_norm (no affine)", ctx.warp_size(), s, eps),
                      by.download(x.size()), want, 1e-5, 1e-4);
}

void add_layer_norm_case(int warp, Shape s, double eps, bool in_place) {
    hvt::Context ctx(warp);
    const std::vector<float> x = row_offset_input(s);
    const std::vector<float> residual = hvt::random_floats(s.rows * s.cols, -2.0f, 2.0f);
    const std::vector<float> gamma = hvt::random_floats(s.cols, 0.5f, 1.5f);
    const std::vector<float> beta = hvt::random_floats(s.cols, -0.5f, 0.5f);
    hvt::Buffer bx(ctx, x), br(ctx, residual), bg(ctx, gamma), bb(ctx, beta), bs(ctx, x.size()), by(ctx, x.size());
    // in_place: the residual stream is updated where it lives, the ViT encoder's pattern.
    hv_buffer* sum = in_place ? br.get() : bs.get();
    HV_EXPECT_OK(hv_add_layer_norm(ctx.get(), bx.get(), br.get(), bg.get(), bb.get(), sum, by.get(), int64_t(s.rows),
                                   int64_t(s.cols), float(eps)));
    std::vector<double> want_sum;
    const auto want = hvt::ref_layer_norm(x, &residual, gamma, beta, s.rows, s.cols, double(float(eps)), &want_sum);
    const std::string name = label(in_place ? "add_layer_norm (in place)" : "add_layer_norm", ctx.warp_size(), s, eps);
    hvt::expect_close(name + " y", by.download(x.size()), want, 1e-5, 1e-4);
    hvt::expect_close(name + " sum", (in_place ? br : bs).download(x.size()), want_sum, 1e-6, 1e-5);
}

}  // namespace

HV_TEST(layer_norm_matches_reference) {
    for (int warp : hvt::warp_sizes())
        for (Shape s : kShapes) layer_norm_case(warp, s, 1e-5, true);
}

HV_TEST(layer_norm_without_affine_and_vit_eps) {
    for (int warp : hvt::warp_sizes()) {
        layer_norm_case(warp, {7, 33}, 1e-12, false);
        layer_norm_case(warp, {197, 768}, 1e-12, true);
    }
}

HV_TEST(layer_norm_in_place) {
    for (int warp : hvt::warp_sizes()) {
        hvt::Context ctx(warp);
        const Shape s{5, 257};
        const std::vector<float> x = row_offset_input(s);
        hvt::Buffer bx(ctx, x);
        HV_EXPECT_OK(hv_layer_norm(ctx.get(), bx.get(), nullptr, nullptr, bx.get(), int64_t(s.rows), int64_t(s.cols), 1e-6f));
        hvt::expect_close(label("layer_norm (y = x)", ctx.warp_size(), s, 1e-6), bx.download(x.size()),
                          hvt::ref_layer_norm(x, nullptr, {}, {}, s.rows, s.cols, double(1e-6f)), 1e-5, 1e-4);
    }
}

HV_TEST(add_layer_norm_matches_reference) {
    for (int warp : hvt::warp_sizes())
        for (Shape s : kShapes) {
            add_layer_norm_case(warp, s, 1e-5, false);
            add_layer_norm_case(warp, s, 1e-12, true);
        }
}

HV_TEST(layer_norm_zero_rows_is_a_no_op) {
    hvt::Context ctx;
    hvt::Buffer b(ctx, 4);
    HV_EXPECT_OK(hv_layer_norm(ctx.get(), b.get(), nullptr, nullptr, b.get(), 0, 4, 1e-5f));
}
