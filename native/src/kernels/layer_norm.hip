// layer_norm.hip: LayerNorm over the last dimension (ViT/BEiT pre-norm and final norm), with the
// residual add before it optionally fused (s = x + residual, also written out as the new residual).
// Math, per row r of s[rows, cols] (biased variance, like torch.nn.LayerNorm):
//   mean = s₀ + Σ (s − s₀) / C;  var = Σ (s − mean)² / C;  y = (s − mean)·rsqrt(var + eps)·gamma + beta
//   (shifting by the row's first value s₀ keeps the float partial sums small when the row has a large mean:
//   Σ s over 768 values near 50 has an ulp of ~4e-3, which would move the mean by ~1e-5)
// Geometry: one block per row, 256 threads striding over cols; three passes over the row (sum, squared
//   deviations, write), each reduction a block_sum: shuffles inside a warp, then shared memory across
//   warps; correct for wavefront 64 (AMD CDNA) and warp 32 (NVIDIA, RDNA). Accumulates in float whatever
//   the storage type (storage.h): elements are widened on load, s stays float (the written sum and y are
//   each rounded once), so an fp16 row of |x| ~ 300 keeps its statistics (Σ x² would overflow fp16's 65504).
//   Two-pass variance (not E[s²] − mean²) so rows with a large mean keep their precision.
// eps comes from the model config (1e-12 for HF ViT), never a literal here.
// Reference: native/tests/test_layer_norm.cpp (float64), test_precision.cpp; tests/.../Reference/RefOps.cs LayerNorm.
// Variants (thread per row, warp per row, this one) and timings: native/dev/layer_norm_bench.hip.
#include "block_reduce.h"
#include "kernels.h"
#include "storage.h"

namespace {

constexpr int kThreads = 256;

template <class T>
__device__ __forceinline__ float load_sum(const T* x, const T* residual, int c) {
    return residual ? hv::load(x[c]) + hv::load(residual[c]) : hv::load(x[c]);
}

template <class T>
__global__ void __launch_bounds__(kThreads)
layer_norm_kernel(const T* x, const T* residual, const T* gamma, const T* beta, T* sum_out, T* y, int cols,
                  float eps) {
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
        if (sum_out) sum_out[c] = hv::store<T>(v);
        const float g = gamma ? hv::load(gamma[c]) : 1.0f;
        const float b = beta ? hv::load(beta[c]) : 0.0f;
        y[c] = hv::store<T>((v - mean) * rstd * g + b);
    }
}

}  // namespace

namespace hv {

hipError_t launch_layer_norm(hv_dtype dtype, const void* x, const void* residual, const void* gamma, const void* beta,
                             void* sum_out, void* y, int64_t rows, int64_t cols, float eps, hipStream_t stream) {
    if (rows == 0) return hipSuccess;
    return with_storage(dtype, [&](auto storage) {
        using T = typename decltype(storage)::type;
        hipLaunchKernelGGL(layer_norm_kernel<T>, dim3(unsigned(rows)), dim3(kThreads), 0, stream,
                           static_cast<const T*>(x), static_cast<const T*>(residual), static_cast<const T*>(gamma),
                           static_cast<const T*>(beta), static_cast<T*>(sum_out), static_cast<T*>(y), int(cols), eps);
        return hipGetLastError();
    });
}

}  // namespace hv
