// kernels.h: host-side launchers of the kernels in this folder, called by native/src/api/ and
// native/src/vendor/. Each returns hipSuccess or the launch error; pointers are device pointers to
// elements of `dtype` (float, Half or BFloat16, storage.h; extents and strides count elements), shapes
// already validated by the caller (every extent fits in int32, products in int64). A zero-sized
// launch is a no-op returning hipSuccess. Every kernel computes in float (storage.h: load/store).
#pragma once

#include <cstddef>
#include <cstdint>

#include "hipvision.h"
#include "../platform/hv_platform.h"

namespace hv {

// y = LayerNorm(x + residual) over rows of `cols`; residual, sum_out, gamma, beta may be null.
hipError_t launch_layer_norm(hv_dtype dtype, const void* x, const void* residual, const void* gamma,
                             const void* beta, void* sum_out, void* y, int64_t rows, int64_t cols, float eps,
                             hipStream_t stream);

// C_z = act(alpha·op(A_z)·op(B_z) + beta·C_z + bias) for z < batch (gemm.hip); n ≤ kGemmMaxN.
constexpr int64_t kGemmMaxN = int64_t(65535) * 64;
hipError_t launch_gemm(hv_dtype dtype, const void* a, const void* b, const void* bias, void* c, int64_t batch,
                       int64_t m, int64_t n, int64_t k, int64_t stride_a, int64_t stride_b, int64_t stride_c,
                       bool trans_a, bool trans_b, float alpha, float beta, int activation, hipStream_t stream);

// y = act(x + bias[col]) over `batch` matrices [rows, cols] starting every `stride` elements; y may be x.
// With batch = rows = 1 and no bias: hv_activate.
hipError_t launch_bias_act(hv_dtype dtype, const void* x, const void* bias, void* y, int64_t batch, int64_t rows,
                           int64_t cols, int64_t stride, int activation, hipStream_t stream);

// Fused attention on qkv [batch, tokens, 3·heads·head_dim] -> out [batch, tokens, heads·head_dim];
// head_dim ≤ kAttentionMaxHeadDim; bias [heads, tokens, tokens] or null.
constexpr int64_t kAttentionMaxHeadDim = 128;
hipError_t launch_attention(hv_dtype dtype, const void* qkv, const void* bias, void* out, int64_t batch,
                            int64_t tokens, int64_t heads, int64_t head_dim, float scale, hipStream_t stream);

// pixels [batch, channels, height, width] -> patches [batch, (height/patch)(width/patch), channels·patch²].
hipError_t launch_patch_embed(hv_dtype dtype, const void* pixels, void* patches, int64_t batch, int64_t channels,
                              int64_t height, int64_t width, int64_t patch, hipStream_t stream);

// y[r] = a[r] + b[r mod b_rows] over rows of `cols`.
hipError_t launch_add(hv_dtype dtype, const void* a, const void* b, void* y, int64_t rows, int64_t cols,
                      int64_t b_rows, hipStream_t stream);

// y = x ⊙ gamma[col] (+ residual).
hipError_t launch_layer_scale(hv_dtype dtype, const void* x, const void* gamma, const void* residual, void* y,
                              int64_t rows, int64_t cols, hipStream_t stream);

// Row softmax of x[rows, cols].
hipError_t launch_softmax(hv_dtype dtype, const void* x, void* y, int64_t rows, int64_t cols, hipStream_t stream);

// y[b·y_batch_stride + e] = x[b·x_batch_stride + e] for e < rows·dim.
hipError_t launch_copy_rows(hv_dtype dtype, const void* x, void* y, int64_t batch, int64_t rows, int64_t dim,
                            int64_t x_batch_stride, int64_t y_batch_stride, hipStream_t stream);

// y[b, :] = mean of x[b, first..tokens-1, :].
hipError_t launch_mean_tokens(hv_dtype dtype, const void* x, void* y, int64_t batch, int64_t tokens, int64_t dim,
                              int64_t first, hipStream_t stream);

// y = act((x − mean[c])·rsqrt(var[c] + eps)·gamma[c] + beta[c]) over [batch, channels, spatial] (nchw) or
// [batch, spatial, channels]; gamma, beta may be null (batch_norm.hip).
hipError_t launch_batch_norm(hv_dtype dtype, const void* x, const void* mean, const void* var, const void* gamma,
                             const void* beta, void* y, int64_t batch, int64_t channels, int64_t spatial, bool nchw,
                             float eps, int activation, hipStream_t stream);

// y[i] = x[i] converted from x_dtype to y_dtype, i < count (cast.hip).
hipError_t launch_cast(hv_dtype x_dtype, hv_dtype y_dtype, const void* x, void* y, int64_t count, hipStream_t stream);

}  // namespace hv
