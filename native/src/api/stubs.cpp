// stubs.cpp: temporary entries for ABI functions not implemented yet (HV_ERROR_UNSUPPORTED).
#include "boundary.h"

namespace {
hv_status unsupported() { throw hv::Error(HV_ERROR_UNSUPPORTED, "not implemented yet"); }
}  // namespace

extern "C" {
HV_API hv_status hv_gemm(hv_context*, const hv_buffer*, const hv_buffer*, const hv_buffer*, hv_buffer*, int64_t,
                         int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int32_t, int32_t, float, float) {
    return hv::guarded("hv_gemm", unsupported);
}
HV_API hv_status hv_linear(hv_context*, const hv_buffer*, const hv_buffer*, const hv_buffer*, hv_buffer*, int64_t,
                           int64_t, int64_t, hv_activation) {
    return hv::guarded("hv_linear", unsupported);
}
HV_API hv_status hv_attention(hv_context*, const hv_buffer*, const hv_buffer*, hv_buffer*, int64_t, int64_t, int64_t,
                              int64_t, float) {
    return hv::guarded("hv_attention", unsupported);
}
HV_API hv_status hv_patch_embed(hv_context*, const hv_buffer*, hv_buffer*, int64_t, int64_t, int64_t, int64_t, int64_t) {
    return hv::guarded("hv_patch_embed", unsupported);
}
HV_API hv_status hv_gelu(hv_context*, const hv_buffer*, hv_buffer*, int64_t) { return hv::guarded("hv_gelu", unsupported); }
HV_API hv_status hv_add(hv_context*, const hv_buffer*, const hv_buffer*, hv_buffer*, int64_t, int64_t, int64_t) {
    return hv::guarded("hv_add", unsupported);
}
HV_API hv_status hv_layer_scale(hv_context*, const hv_buffer*, const hv_buffer*, const hv_buffer*, hv_buffer*, int64_t,
                                int64_t) {
    return hv::guarded("hv_layer_scale", unsupported);
}
HV_API hv_status hv_softmax(hv_context*, const hv_buffer*, hv_buffer*, int64_t, int64_t) {
    return hv::guarded("hv_softmax", unsupported);
}
HV_API hv_status hv_prepend_token(hv_context*, const hv_buffer*, const hv_buffer*, hv_buffer*, int64_t, int64_t, int64_t) {
    return hv::guarded("hv_prepend_token", unsupported);
}
HV_API hv_status hv_slice_token(hv_context*, const hv_buffer*, hv_buffer*, int64_t, int64_t, int64_t, int64_t) {
    return hv::guarded("hv_slice_token", unsupported);
}
HV_API hv_status hv_mean_tokens(hv_context*, const hv_buffer*, hv_buffer*, int64_t, int64_t, int64_t, int64_t) {
    return hv::guarded("hv_mean_tokens", unsupported);
}
}  // extern "C"
