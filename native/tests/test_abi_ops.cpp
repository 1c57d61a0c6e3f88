// test_abi_ops.cpp: the error contract of the transformer entries: a bad argument returns
// HV_ERROR_INVALID_ARGUMENT (or UNSUPPORTED for a valid request past a limit) with hv_last_error()
// naming the function and the argument, and nothing is queued. Part of hv_abi_smoke (prefix abi_).
#include <cstring>
#include <string>

#include "device.h"

namespace {

bool says(const char* function, const char* argument) {
    const char* e = hv_last_error();
    return std::strncmp(e, function, std::strlen(function)) == 0 && std::strstr(e, argument) != nullptr;
}

#define HV_EXPECT_BAD(call, function, argument)                                                    \
    do {                                                                                          \
        const hv_status s_ = (call);                                                              \
        HV_CHECK(s_ == HV_ERROR_INVALID_ARGUMENT) << #call << " -> " << hv_status_string(s_);     \
        HV_CHECK(says(function, argument)) << #call << ": message '" << hv_last_error() << "'";  \
    } while (0)

}  // namespace

HV_TEST(abi_gemm_and_linear_arguments) {
    hvt::Context ctx;
    hvt::Buffer a(ctx, 64), b(ctx, 64), c(ctx, 64), small(ctx, 3);
    hv_context* x = ctx.get();
    HV_EXPECT_BAD(hv_gemm(nullptr, a.get(), b.get(), nullptr, c.get(), 1, 8, 8, 8, 0, 0, 0, 0, 0, 1, 0), "hv_gemm", "context is NULL");
    HV_EXPECT_BAD(hv_gemm(x, nullptr, b.get(), nullptr, c.get(), 1, 8, 8, 8, 0, 0, 0, 0, 0, 1, 0), "hv_gemm", "a is NULL");
    HV_EXPECT_BAD(hv_gemm(x, a.get(), b.get(), nullptr, c.get(), 1, -1, 8, 8, 0, 0, 0, 0, 0, 1, 0), "hv_gemm", "m must be >= 0");
    HV_EXPECT_BAD(hv_gemm(x, a.get(), b.get(), nullptr, c.get(), 1, 8, 9, 8, 0, 0, 0, 0, 0, 1, 0), "hv_gemm", "b holds 256 bytes, needs 288");
    HV_EXPECT_BAD(hv_gemm(x, a.get(), b.get(), nullptr, c.get(), 1, 8, 8, 8, 0, 0, 0, 2, 0, 1, 0), "hv_gemm", "trans_a");
    HV_EXPECT_BAD(hv_gemm(x, a.get(), b.get(), nullptr, c.get(), 2, 4, 4, 4, 16, 16, 8, 0, 0, 1, 0), "hv_gemm", "stride_c");
    HV_EXPECT_BAD(hv_gemm(x, a.get(), b.get(), nullptr, c.get(), 2, 4, 4, 4, -16, 16, 16, 0, 0, 1, 0), "hv_gemm", "stride_a");
    HV_EXPECT_BAD(hv_gemm(x, a.get(), b.get(), nullptr, a.get(), 1, 8, 8, 8, 0, 0, 0, 0, 0, 1, 0), "hv_gemm", "c must not alias a");
    HV_EXPECT_BAD(hv_gemm(x, a.get(), b.get(), small.get(), c.get(), 1, 8, 8, 8, 0, 0, 0, 0, 0, 1, 0), "hv_gemm", "bias holds");
    HV_EXPECT_BAD(hv_gemm(x, a.get(), b.get(), nullptr, c.get(), 1, 8, 8, 8, 0, 0, 0, 0, 0, NAN, 0), "hv_gemm", "alpha");
    HV_EXPECT_BAD(hv_gemm(x, a.get(), b.get(), nullptr, c.get(), int64_t(1) << 40, 1, 1, 1, 0, 0, 1, 0, 0, 1, 0), "hv_gemm", "batch");

    HV_EXPECT_BAD(hv_linear(x, a.get(), b.get(), nullptr, c.get(), 8, 8, 8, hv_activation(9)), "hv_linear", "activation");
    HV_EXPECT_BAD(hv_linear(x, a.get(), nullptr, nullptr, c.get(), 8, 8, 8, HV_ACTIVATION_GELU), "hv_linear", "weight is NULL");
    HV_EXPECT_BAD(hv_linear(x, a.get(), b.get(), nullptr, c.get(), 8, 9, 8, HV_ACTIVATION_NONE), "hv_linear", "x holds");
    HV_EXPECT_BAD(hv_linear(x, a.get(), b.get(), nullptr, b.get(), 8, 8, 8, HV_ACTIVATION_NONE), "hv_linear", "y must not alias weight");
    HV_EXPECT_BAD(hv_linear(x, a.get(), b.get(), nullptr, c.get(), 8, -8, 8, HV_ACTIVATION_NONE), "hv_linear", "in_features");
    HV_EXPECT_OK(hv_linear(x, a.get(), b.get(), nullptr, c.get(), 8, 8, 8, HV_ACTIVATION_RELU));
    HV_CHECK(std::string(hv_last_error()).empty());
}

HV_TEST(abi_attention_arguments) {
    hvt::Context ctx;
    hvt::Buffer qkv(ctx, 3 * 4 * 8), out(ctx, 4 * 8), bias(ctx, 2 * 4 * 4), small(ctx, 31);
    hv_context* x = ctx.get();
    HV_EXPECT_BAD(hv_attention(x, nullptr, nullptr, out.get(), 1, 4, 2, 4, 0.5f), "hv_attention", "qkv is NULL");
    HV_EXPECT_BAD(hv_attention(x, qkv.get(), nullptr, out.get(), 1, 4, 0, 4, 0.5f), "hv_attention", "heads must be >= 1");
    HV_EXPECT_BAD(hv_attention(x, qkv.get(), nullptr, out.get(), 1, 4, 2, 4, 0.0f), "hv_attention", "scale");
    HV_EXPECT_BAD(hv_attention(x, qkv.get(), nullptr, out.get(), 1, 5, 2, 4, 0.5f), "hv_attention", "qkv holds");
    HV_EXPECT_BAD(hv_attention(x, qkv.get(), out.get(), out.get(), 1, 4, 2, 4, 0.5f), "hv_attention", "out must not alias bias");
    HV_EXPECT_BAD(hv_attention(x, qkv.get(), small.get(), bias.get(), 1, 4, 2, 4, 0.5f), "hv_attention", "bias holds");
    HV_EXPECT_BAD(hv_attention(x, qkv.get(), nullptr, qkv.get(), 1, 4, 2, 4, 0.5f), "hv_attention", "out must not alias qkv");
    HV_CHECK(hv_attention(x, qkv.get(), nullptr, out.get(), 1, 1, 1, 129, 0.5f) == HV_ERROR_UNSUPPORTED);
    HV_CHECK(says("hv_attention", "head_dim 129")) << hv_last_error();
    HV_EXPECT_OK(hv_attention(x, qkv.get(), bias.get(), out.get(), 1, 4, 2, 4, 0.5f));
}

HV_TEST(abi_token_and_elementwise_arguments) {
    hvt::Context ctx;
    hvt::Buffer p(ctx, 3 * 8 * 8), q(ctx, 3 * 8 * 8), row(ctx, 8);
    hv_context* x = ctx.get();
    HV_EXPECT_BAD(hv_patch_embed(x, p.get(), q.get(), 1, 3, 8, 6, 4), "hv_patch_embed", "multiples of patch");
    HV_EXPECT_BAD(hv_patch_embed(x, p.get(), q.get(), 1, 3, 8, 8, 0), "hv_patch_embed", "patch must be >= 1");
    HV_EXPECT_BAD(hv_patch_embed(x, p.get(), p.get(), 1, 3, 8, 8, 4), "hv_patch_embed", "patches must not alias pixels");
    HV_EXPECT_BAD(hv_patch_embed(x, p.get(), row.get(), 1, 3, 8, 8, 4), "hv_patch_embed", "patches holds");
    HV_EXPECT_BAD(hv_activate(x, p.get(), q.get(), -1, HV_ACTIVATION_GELU), "hv_activate", "count");
    HV_EXPECT_BAD(hv_activate(x, p.get(), nullptr, 4, HV_ACTIVATION_GELU), "hv_activate", "y is NULL");
    HV_EXPECT_BAD(hv_add(x, p.get(), row.get(), q.get(), 6, 8, 4), "hv_add", "multiple of b_rows");
    HV_EXPECT_BAD(hv_add(x, p.get(), row.get(), q.get(), 6, 8, 0), "hv_add", "b_rows must be >= 1");
    HV_EXPECT_BAD(hv_add(x, p.get(), q.get(), q.get(), 6, 8, 3), "hv_add", "y may alias b only");
    HV_EXPECT_BAD(hv_layer_scale(x, p.get(), nullptr, nullptr, q.get(), 6, 8), "hv_layer_scale", "gamma is NULL");
    HV_EXPECT_BAD(hv_softmax(x, p.get(), q.get(), 6, 0), "hv_softmax", "cols must be >= 1");
    HV_EXPECT_BAD(hv_prepend_token(x, row.get(), p.get(), p.get(), 2, 4, 8), "hv_prepend_token", "y must not alias x");
    HV_EXPECT_BAD(hv_prepend_token(x, row.get(), p.get(), q.get(), 2, 12, 8), "hv_prepend_token", "y holds");
    HV_EXPECT_BAD(hv_slice_token(x, p.get(), row.get(), 1, 4, 8, 4), "hv_slice_token", "index");
    HV_EXPECT_BAD(hv_mean_tokens(x, p.get(), row.get(), 1, 4, 8, 4), "hv_mean_tokens", "first");
    HV_EXPECT_BAD(hv_mean_tokens(x, p.get(), row.get(), 2, 4, 8, 1), "hv_mean_tokens", "y holds");
    HV_EXPECT_OK(hv_mean_tokens(x, p.get(), row.get(), 1, 4, 8, 1));
    HV_EXPECT_BAD(hv_activate(x, p.get(), q.get(), 4, hv_activation(6)), "hv_activate", "activation 6");
    HV_EXPECT_BAD(hv_cast(x, nullptr, q.get(), 4), "hv_cast", "x is NULL");
    HV_EXPECT_BAD(hv_cast(x, p.get(), q.get(), -1), "hv_cast", "count is negative");
    HV_EXPECT_BAD(hv_cast(x, row.get(), q.get(), 9), "hv_cast", "x holds 32 bytes, needs 36");
    HV_EXPECT_BAD(hv_batch_norm(x, p.get(), nullptr, row.get(), nullptr, nullptr, q.get(), 1, 8, 4, HV_LAYOUT_NHWC, 1e-5f,
                                HV_ACTIVATION_NONE),
                  "hv_batch_norm", "mean is NULL");
    HV_EXPECT_BAD(hv_batch_norm(x, p.get(), row.get(), row.get(), nullptr, nullptr, q.get(), 1, 8, 4, hv_layout(2), 1e-5f,
                                HV_ACTIVATION_NONE),
                  "hv_batch_norm", "layout 2");
    HV_EXPECT_BAD(hv_batch_norm(x, p.get(), row.get(), row.get(), nullptr, nullptr, q.get(), 1, 8, 4, HV_LAYOUT_NCHW, -1.0f,
                                HV_ACTIVATION_NONE),
                  "hv_batch_norm", "eps must be finite and >= 0");
    HV_EXPECT_BAD(hv_batch_norm(x, p.get(), row.get(), row.get(), nullptr, nullptr, row.get(), 1, 8, 4, HV_LAYOUT_NCHW,
                                1e-5f, HV_ACTIVATION_NONE),
                  "hv_batch_norm", "y may alias only x");
    HV_EXPECT_BAD(hv_batch_norm(x, p.get(), row.get(), row.get(), nullptr, nullptr, q.get(), 1, 9, 4, HV_LAYOUT_NCHW, 1e-5f,
                                HV_ACTIVATION_NONE),
                  "hv_batch_norm", "mean holds 32 bytes, needs 36");
    // Zero extents are valid no-ops.
    HV_EXPECT_OK(hv_activate(x, p.get(), q.get(), 0, HV_ACTIVATION_GELU));
    HV_EXPECT_OK(hv_softmax(x, p.get(), q.get(), 0, 8));
    HV_EXPECT_OK(hv_gemm(x, p.get(), q.get(), nullptr, row.get(), 0, 8, 8, 8, 0, 0, 0, 0, 0, 1, 0));
    HV_EXPECT_OK(hv_attention(x, p.get(), nullptr, q.get(), 1, 0, 12, 64, 0.125f));
}
