// kernels.h: host-side launchers of the kernels in this folder, called by native/src/api/ and
// native/src/vendor/. Each returns hipSuccess or the launch error; pointers are device pointers, shapes
// already validated by the caller (every extent fits in int32, products in int64). A zero-sized
// launch is a no-op returning hipSuccess.
#pragma once

#include <cstddef>
#include <cstdint>

#include "../platform/hv_platform.h"

namespace hv {

// y = LayerNorm(x + residual) over rows of `cols`; residual, sum_out, gamma, beta may be null.
hipError_t launch_layer_norm(const float* x, const float* residual, const float* gamma, const float* beta,
                             float* sum_out, float* y, int64_t rows, int64_t cols, float eps, hipStream_t stream);

// C_z = act(alpha·op(A_z)·op(B_z) + beta·C_z + bias) for z < batch (gemm.hip); n ≤ kGemmMaxN.
constexpr int64_t kGemmMaxN = int64_t(65535) * 64;
hipError_t launch_gemm(const float* a, const float* b, const float* bias, float* c, int64_t batch, int64_t m,
                       int64_t n, int64_t k, int64_t stride_a, int64_t stride_b, int64_t stride_c, bool trans_a,
                       bool trans_b, float alpha, float beta, int activation, hipStream_t stream);

// y = act(x + bias[col]) over `batch` matrices [rows, cols] starting every `stride` floats; y may be x.
hipError_t launch_bias_act(const float* x, const float* bias, float* y, int64_t batch, int64_t rows, int64_t cols,
                           int64_t stride, int activation, hipStream_t stream);

// Fused attention on qkv [batch, tokens, 3·heads·head_dim] -> out [batch, tokens, heads·head_dim];
// head_dim ≤ kAttentionMaxHeadDim; bias [heads, tokens, tokens] or null.
constexpr int64_t kAttentionMaxHeadDim = 128;
hipError_t launch_attention(const float* qkv, const float* bias, float* out, int64_t batch, int64_t tokens,
                            int64_t heads, int64_t head_dim, float scale, hipStream_t stream);

// pixels [batch, channels, height, width] -> patches [batch, (height/patch)(width/patch), channels·patch²].
hipError_t launch_patch_embed(const float* pixels, float* patches, int64_t batch, int64_t channels, int64_t height,
                              int64_t width, int64_t patch, hipStream_t stream);

// y[r] = a[r] + b[r mod b_rows] over rows of `cols`.
hipError_t launch_add(const float* a, const float* b, float* y, int64_t rows, int64_t cols, int64_t b_rows,
                      hipStream_t stream);

// y = x ⊙ gamma[col] (+ residual).
hipError_t launch_layer_scale(const float* x, const float* gamma, const float* residual, float* y, int64_t rows,
                              int64_t cols, hipStream_t stream);

// Row softmax of x[rows, cols].
hipError_t launch_softmax(const float* x, float* y, int64_t rows, int64_t cols, hipStream_t stream);

// y[b·y_batch_stride + e] = x[b·x_batch_stride + e] for e < rows·dim.
hipError_t launch_copy_rows(const float* x, float* y, int64_t batch, int64_t rows, int64_t dim,
                            int64_t x_batch_stride, int64_t y_batch_stride, hipStream_t stream);

// y[b, :] = mean of x[b, first..tokens-1, :].
hipError_t launch_mean_tokens(const float* x, float* y, int64_t batch, int64_t tokens, int64_t dim, int64_t first,
                              hipStream_t stream);

}  // namespace hv
