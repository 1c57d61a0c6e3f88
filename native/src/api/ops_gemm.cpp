// ops_gemm.cpp: hv_gemm and hv_linear: validate, then hand the GEMM to native/src/vendor/blas.h (vendor
// library or HipVision's kernel, chosen at build time).
#include <string>

#include "args.h"
#include "boundary.h"
#include "../vendor/blas.h"

namespace {

// Elements operand X spans over the batch: (batch − 1)·stride + rows·cols, 0 for an empty batch.
int64_t span(const char* name, int64_t batch, int64_t stride, int64_t rows, int64_t cols) {
    if (batch == 0) return 0;
    const int64_t last = hv::product(name, {batch - 1, stride});
    const int64_t one = hv::product(name, {rows, cols});
    hv::require(last <= INT64_MAX - one, std::string(name) + " span overflows int64");
    return last + one;
}

}  // namespace

extern "C" {

HV_API hv_status hv_gemm(hv_context* context, const hv_buffer* a, const hv_buffer* b, const hv_buffer* bias,
                         hv_buffer* c, int64_t batch, int64_t m, int64_t n, int64_t k, int64_t stride_a,
                         int64_t stride_b, int64_t stride_c, int32_t trans_a, int32_t trans_b, float alpha,
                         float beta) {
    return hv::guarded("hv_gemm", [&] {
        hv::Device& d = hv::device_of(context);
        hv::Gemm g;
        g.batch = hv::extent("batch", batch);
        g.m = hv::extent("m", m);
        g.n = hv::extent("n", n);
        g.k = hv::extent("k", k);
        hv::require(stride_a >= 0, "stride_a is negative (" + std::to_string(stride_a) + ")");
        hv::require(stride_b >= 0, "stride_b is negative (" + std::to_string(stride_b) + ")");
        hv::require(stride_c >= 0, "stride_c is negative (" + std::to_string(stride_c) + ")");
        hv::require(batch <= 1 || stride_c >= m * n, "stride_c (" + std::to_string(stride_c) +
                                                         ") must be >= m*n when batch > 1, or outputs overlap");
        hv::require(trans_a == 0 || trans_a == 1, "trans_a must be 0 or 1, got " + std::to_string(trans_a));
        hv::require(trans_b == 0 || trans_b == 1, "trans_b must be 0 or 1, got " + std::to_string(trans_b));
        hv::require_finite("alpha", alpha);
        hv::require_finite("beta", beta);
        hv::require_distinct(c, "c", a, "a");
        hv::require_distinct(c, "c", b, "b");
        hv::require_distinct(c, "c", bias, "bias");
        g.dtype = hv::common_dtype({{"a", a}, {"b", b}, {"bias", bias}, {"c", c}});
        g.a = hv::elements_of(context, a, "a", span("a", batch, stride_a, m, k));
        g.b = hv::elements_of(context, b, "b", span("b", batch, stride_b, k, n));
        g.bias = hv::optional_elements_of(context, bias, "bias", n);
        g.c = hv::elements_of(context, c, "c", span("c", batch, stride_c, m, n));
        g.stride_a = stride_a;
        g.stride_b = stride_b;
        g.stride_c = stride_c;
        g.trans_a = trans_a != 0;
        g.trans_b = trans_b != 0;
        g.alpha = alpha;
        g.beta = beta;
        hv::gemm(d, g);
        return HV_OK;
    });
}

HV_API hv_status hv_linear(hv_context* context, const hv_buffer* x, const hv_buffer* weight, const hv_buffer* bias,
                           hv_buffer* y, int64_t rows, int64_t in_features, int64_t out_features,
                           hv_activation activation) {
    return hv::guarded("hv_linear", [&] {
        hv::Device& d = hv::device_of(context);
        hv::Gemm g;
        g.m = hv::extent("rows", rows);
        g.k = hv::extent("in_features", in_features);
        g.n = hv::extent("out_features", out_features);
        hv::require_distinct(y, "y", x, "x");
        hv::require_distinct(y, "y", weight, "weight");
        hv::require_distinct(y, "y", bias, "bias");
        g.dtype = hv::common_dtype({{"x", x}, {"weight", weight}, {"bias", bias}, {"y", y}});
        g.a = hv::elements_of(context, x, "x", hv::product("rows*in_features", {rows, in_features}));
        g.b = hv::elements_of(context, weight, "weight",
                              hv::product("out_features*in_features", {out_features, in_features}));
        g.bias = hv::optional_elements_of(context, bias, "bias", out_features);
        g.c = hv::elements_of(context, y, "y", hv::product("rows*out_features", {rows, out_features}));
        g.trans_b = true;
        g.activation = hv::activation_of(activation);
        hv::gemm(d, g);
        return HV_OK;
    });
}

}  // extern "C"
