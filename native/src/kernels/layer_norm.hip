// layer_norm.hip: LayerNorm over the last dimension (ViT/BEiT pre-norm and final norm), with the
// residual add before it optionally fused (s = x + residual, also written out as the new residual).
// Math, per row r of s[rows, cols] (biased variance, like torch.nn.LayerNorm):
//   mean = s₀ + Σ (s − s₀) / C;  var = Σ (s − mean)² / C;  y = (s − mean)·rsqrt(var + eps)·gamma + beta
//   (shifting by the row's first value s₀ keeps the float partial sums small when the row has a large mean:
//   Σ s over 768 values near 50 has an ulp of ~4e-3, which would move the mean by ~1e-5)
// Geometry: one block per row, 256 threads striding over cols; three passes over the row (sum, squared
//   deviations, write), each reduction a block_sum: shuffles inside a warp, then shared memory across
//   warps; correct for wavefront 64 (AMD CDNA) and warp 32 (NVIDIA, RDNA). Accumulates in float.
//   Two-pass variance (not E[s²] − mean²) so rows with a large mean keep their precision.
// eps comes from the model config (1e-12 for HF ViT), never a literal here.
// Reference: native/tests/test_layer_norm.cpp (float64); later tests/.../Reference/RefOps.cs LayerNorm.
// Variants (thread per row, warp per row, this one) and timings: native/dev/layer_norm_bench.hip.
#include "block_reduce.h"
#include "kernels.h"

namespace {

constexpr int kThreads = 256;

__device__ __forceinline__ float load_sum(const float* x, const float* residual, int c) {
    return residual ? x[c] + residual[c] : x[c];
}

__global__ void __launch_bounds__(kThreads)
layer_norm_kernel(const float* x, const float* residual, const float* gamma, const float* beta,
                  float* sum_out, float* y, int cols, float eps) {
    __shared__ float scratch[HV_MAX_WARPS_PER_BLOCK];
    const size_t offset = size_t(blockIdx.x) * size_t(cols);
    x += offset;
    y += offset;
    if (residual) residual += offset;
    if (sum_out) sum_out += offset;

    const float shift = load_sum(x, residual, 0);
    float s = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) s += load_sum(x, residual, c) - shift;
    const float mean = shift + block_sum(s, scratch) / float(cols);

    float q = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        const float d = load_sum(x, residual, c) - mean;
        q += d * d;
    }
    const float rstd = rsqrtf(block_sum(q, scratch) / float(cols) + eps);

    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        const float v = load_sum(x, residual, c);
        if (sum_out) sum_out[c] = v;
        const float g = gamma ? gamma[c] : 1.0f;
        const float b = beta ? beta[c] : 0.0f;
        y[c] = (v - mean) * rstd * g + b;
    }
}

}  // namespace

namespace hv {

hipError_t launch_layer_norm(const float* x, const float* residual, const float* gamma, const float* beta,
                             float* sum_out, float* y, int64_t rows, int64_t cols, float eps, hipStream_t stream) {
    if (rows == 0) return hipSuccess;
    hipLaunchKernelGGL(layer_norm_kernel, dim3(unsigned(rows)), dim3(kThreads), 0, stream,
                       x, residual, gamma, beta, sum_out, y, int(cols), eps);
    return hipGetLastError();
}

}  // namespace hv
