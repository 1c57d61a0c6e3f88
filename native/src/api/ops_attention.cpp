// ops_attention.cpp: hv_attention: validate, then launch native/src/kernels/attention.hip.
#include <cmath>
#include <string>

#include "args.h"
#include "boundary.h"
#include "../kernels/kernels.h"

extern "C" {

HV_API hv_status hv_attention(hv_context* context, const hv_buffer* qkv, const hv_buffer* bias, hv_buffer* out,
                              int64_t batch, int64_t tokens, int64_t heads, int64_t head_dim, float scale) {
    return hv::guarded("hv_attention", [&] {
        const hv::Device& d = hv::device_of(context);
        hv::extent("batch", batch);
        hv::extent("tokens", tokens);
        hv::extent("heads", heads, 1);
        hv::extent("head_dim", head_dim, 1);
        hv::require(batch <= 65535 && heads <= 65535, "batch and heads must each be <= 65535 (grid limit)");
        if (head_dim > hv::kAttentionMaxHeadDim)
            throw hv::Error(HV_ERROR_UNSUPPORTED, "head_dim " + std::to_string(head_dim) + " exceeds " +
                                                      std::to_string(hv::kAttentionMaxHeadDim));
        const int64_t width = hv::extent("3*heads*head_dim", hv::product("3*heads*head_dim", {3, heads, head_dim}));
        hv::require(std::isfinite(scale) && scale > 0.0f, "scale must be finite and > 0, got " + std::to_string(scale));
        hv::require_distinct(out, "out", qkv, "qkv");
        hv::require_distinct(out, "out", bias, "bias");
        const hv_dtype t = hv::common_dtype({{"qkv", qkv}, {"bias", bias}, {"out", out}});
        const void* pq = hv::elements_of(context, qkv, "qkv", hv::product("qkv size", {batch, tokens, width}));
        const void* pb =
            hv::optional_elements_of(context, bias, "bias", hv::product("bias size", {heads, tokens, tokens}));
        void* po = hv::elements_of(context, out, "out", hv::product("out size", {batch, tokens, heads, head_dim}));
        hv::check_hip(hv::launch_attention(t, pq, pb, po, batch, tokens, heads, head_dim, scale, d.stream),
                      "attention_kernel launch");
        return HV_OK;
    });
}

}  // extern "C"
