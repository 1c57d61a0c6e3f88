// ops_tokens.cpp: the token-tensor plumbing of ViT/BEiT: hv_patch_embed (patch_embed.hip), hv_prepend_token
// and hv_slice_token (copy_rows.hip), hv_mean_tokens (mean_tokens.hip).
#include <string>

#include "args.h"
#include "boundary.h"
#include "../kernels/kernels.h"
#include "../kernels/storage.h"

extern "C" {

HV_API hv_status hv_patch_embed(hv_context* context, const hv_buffer* pixels, hv_buffer* patches, int64_t batch,
                                int64_t channels, int64_t height, int64_t width, int64_t patch) {
    return hv::guarded("hv_patch_embed", [&] {
        const hv::Device& d = hv::device_of(context);
        hv::extent("batch", batch);
        hv::extent("channels", channels, 1);
        hv::extent("height", height);
        hv::extent("width", width);
        hv::extent("patch", patch, 1);
        hv::require(height % patch == 0 && width % patch == 0,
                    "height and width (" + std::to_string(height) + "x" + std::to_string(width) +
                        ") must be multiples of patch (" + std::to_string(patch) + ")");
        hv::extent("channels*patch*patch", hv::product("channels*patch*patch", {channels, patch, patch}));
        const int64_t n = hv::product("batch*channels*height*width", {batch, channels, height, width});
        hv::require_distinct(patches, "patches", pixels, "pixels");
        const hv_dtype t = hv::common_dtype({{"pixels", pixels}, {"patches", patches}});
        const void* pp = hv::elements_of(context, pixels, "pixels", n);
        void* po = hv::elements_of(context, patches, "patches", n);
        hv::check_hip(hv::launch_patch_embed(t, pp, po, batch, channels, height, width, patch, d.stream),
                      "patch_embed_kernel launch");
        return HV_OK;
    });
}

HV_API hv_status hv_prepend_token(hv_context* context, const hv_buffer* token, const hv_buffer* x, hv_buffer* y,
                                  int64_t batch, int64_t tokens, int64_t dim) {
    return hv::guarded("hv_prepend_token", [&] {
        const hv::Device& d = hv::device_of(context);
        hv::extent("batch", batch);
        hv::extent("tokens", tokens, 0);
        hv::extent("tokens + 1", tokens + 1);
        hv::extent("dim", dim);
        hv::require_distinct(y, "y", x, "x");
        hv::require_distinct(y, "y", token, "token");
        const hv_dtype t = hv::common_dtype({{"token", token}, {"x", x}, {"y", y}});
        const void* pt = hv::elements_of(context, token, "token", dim);
        const void* px = hv::elements_of(context, x, "x", hv::product("x size", {batch, tokens, dim}));
        void* py = hv::elements_of(context, y, "y", hv::product("y size", {batch, tokens + 1, dim}));
        const int64_t y_stride = (tokens + 1) * dim;
        void* py_tokens = static_cast<char*>(py) + dim * int64_t(hv::dtype_size(t));
        hv::check_hip(hv::launch_copy_rows(t, pt, py, batch, 1, dim, 0, y_stride, d.stream), "copy_rows_kernel launch");
        hv::check_hip(hv::launch_copy_rows(t, px, py_tokens, batch, tokens, dim, tokens * dim, y_stride, d.stream),
                      "copy_rows_kernel launch");
        return HV_OK;
    });
}

HV_API hv_status hv_slice_token(hv_context* context, const hv_buffer* x, hv_buffer* y, int64_t batch,
                                int64_t tokens, int64_t dim, int64_t index) {
    return hv::guarded("hv_slice_token", [&] {
        const hv::Device& d = hv::device_of(context);
        hv::extent("batch", batch);
        hv::extent("tokens", tokens, 1);
        hv::extent("dim", dim);
        hv::require(index >= 0 && index < tokens, "index must be in [0, tokens = " + std::to_string(tokens) +
                                                      "), got " + std::to_string(index));
        hv::require_distinct(y, "y", x, "x");
        const hv_dtype t = hv::common_dtype({{"x", x}, {"y", y}});
        const void* px = hv::elements_of(context, x, "x", hv::product("x size", {batch, tokens, dim}));
        void* py = hv::elements_of(context, y, "y", hv::product("y size", {batch, dim}));
        const void* px_token = static_cast<const char*>(px) + index * dim * int64_t(hv::dtype_size(t));
        hv::check_hip(hv::launch_copy_rows(t, px_token, py, batch, 1, dim, tokens * dim, dim, d.stream),
                      "copy_rows_kernel launch");
        return HV_OK;
    });
}

HV_API hv_status hv_mean_tokens(hv_context* context, const hv_buffer* x, hv_buffer* y, int64_t batch,
                                int64_t tokens, int64_t dim, int64_t first) {
    return hv::guarded("hv_mean_tokens", [&] {
        const hv::Device& d = hv::device_of(context);
        hv::extent("batch", batch);
        hv::extent("tokens", tokens, 1);
        hv::extent("dim", dim);
        hv::require(dim <= int64_t(65535) * 256, "dim must be <= 65535*256 (grid limit)");
        hv::require(first >= 0 && first < tokens, "first must be in [0, tokens = " + std::to_string(tokens) +
                                                      "), got " + std::to_string(first));
        hv::require_distinct(y, "y", x, "x");
        const hv_dtype t = hv::common_dtype({{"x", x}, {"y", y}});
        const void* px = hv::elements_of(context, x, "x", hv::product("x size", {batch, tokens, dim}));
        void* py = hv::elements_of(context, y, "y", hv::product("y size", {batch, dim}));
        hv::check_hip(hv::launch_mean_tokens(t, px, py, batch, tokens, dim, first, d.stream), "mean_tokens_kernel launch");
        return HV_OK;
    });
}

}  // extern "C"
