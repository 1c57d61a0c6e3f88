// mean_tokens.hip: the mean over a range of tokens per image (BEiT's mean pooling skips CLS: first = 1).
// Math, x [batch, tokens, dim]:  y[b, c] = (1 / (tokens − first)) · Σ_{t = first}^{tokens−1} x[b, t, c]
// Geometry: grid (batch, ⌈dim/256⌉), one thread per output column walking the tokens in order, so a
//   warp reads consecutive elements of each token row. Accumulates in float whatever the storage type
//   (197 tokens at most in HF ViT/BEiT, well within fp32's sum error budget); one rounding on store.
//   (A float16 running sum would round at every step to the ulp of the growing sum: 0.125 once it passes 128.)
// Reference: native/tests/test_token_ops.cpp, test_precision.cpp.
#include "kernels.h"
#include "storage.h"

namespace {

constexpr int kThreads = 256;

template <class T>
__global__ void __launch_bounds__(kThreads)
mean_tokens_kernel(const T* x, T* y, int tokens, int dim, int first) {
    const int c = blockIdx.y * blockDim.x + threadIdx.x;
    if (c >= dim) return;
    const T* column = x + size_t(blockIdx.x) * size_t(tokens) * size_t(dim) + c;
    float s = 0.0f;
    for (int t = first; t < tokens; ++t) s += hv::load(column[size_t(t) * size_t(dim)]);
    y[size_t(blockIdx.x) * size_t(dim) + c] = hv::store<T>(s / float(tokens - first));
}

}  // namespace

namespace hv {

hipError_t launch_mean_tokens(hv_dtype dtype, const void* x, void* y, int64_t batch, int64_t tokens, int64_t dim,
                              int64_t first, hipStream_t stream) {
    if (batch == 0 || dim == 0) return hipSuccess;
    const dim3 grid(unsigned(batch), unsigned((dim + kThreads - 1) / kThreads));
    return with_storage(dtype, [&](auto storage) {
        using T = typename decltype(storage)::type;
        hipLaunchKernelGGL(mean_tokens_kernel<T>, grid, dim3(kThreads), 0, stream, static_cast<const T*>(x),
                           static_cast<T*>(y), int(tokens), int(dim), int(first));
        return hipGetLastError();
    });
}

}  // namespace hv
