// global_avg_pool.hip: per-channel mean over the pixels of an NHWC activation, optionally split into
// chunks of pixels whose partial means a consumer adds up (squeeze_excite.hip does, to spread a 300×300
// map with 64 channels over more than two blocks per image).
// Math: with P pixels split into `chunks` runs of ceil(P / chunks),
//   y[b, k, c] = (1/P) · Σ_{p in run k} x[b, p, c];  chunks = 1 gives y[b, c] = mean_p x[b, p, c]
// Geometry: grid = (ceil(C / 32), chunks, batch), 256 threads = 32 channels × 8 pixel slices. Thread
//   (c, s) adds pixels s, s + 8, ... of its run (a warp reads 128 contiguous bytes of a pixel row); the
//   eight slice sums meet in shared memory and the first slice adds them in a fixed order, so results are
//   deterministic. Accumulates in float whatever x's storage type (storage.h); y is x's type for
//   hv_global_avg_pool (rounded once) and float for the chunked partials (squeeze-excite's workspace). hv_global_avg_pool uses chunks = 1: it runs on the last map
//   (19×19×2560 for B7, 7×7×1024 for MobileNetV1) where channels alone give enough blocks.
// Reference: native/tests/test_squeeze_excite.cpp (float64), test_precision.cpp.
#include "convnet.h"
#include "storage.h"

namespace {

constexpr int kChannels = 32;
constexpr int kThreads = 256;
constexpr int kSlices = kThreads / kChannels;

template <class Tx, class Ty>
__global__ void __launch_bounds__(kThreads)
channel_mean_kernel(const Tx* __restrict__ x, Ty* __restrict__ y, int64_t pixels, int channels, int64_t run,
                    float inv_pixels) {
    __shared__ float partial[kSlices][kChannels];
    const int ci = threadIdx.x % kChannels, slice = threadIdx.x / kChannels;
    const int c = blockIdx.x * kChannels + ci;
    const int64_t first = int64_t(blockIdx.y) * run;
    const int64_t end = first + run < pixels ? first + run : pixels;
    const Tx* xb = x + size_t(blockIdx.z) * pixels * channels;
    float s = 0.0f;
    if (c < channels)
        for (int64_t p = first + slice; p < end; p += kSlices) s += hv::load(xb[size_t(p) * channels + c]);
    partial[slice][ci] = s;
    __syncthreads();
    if (slice != 0 || c >= channels) return;
    for (int k = 1; k < kSlices; ++k) s += partial[k][ci];
    y[(size_t(blockIdx.z) * gridDim.y + blockIdx.y) * channels + c] = hv::store<Ty>(s * inv_pixels);
}

template <class Tx, class Ty>
hipError_t channel_mean(const Tx* x, Ty* y, int64_t batch, int64_t pixels, int64_t channels, int64_t chunks,
                        hipStream_t stream) {
    const int64_t run = (pixels + chunks - 1) / chunks;
    const dim3 grid(unsigned((channels + kChannels - 1) / kChannels), unsigned(chunks), unsigned(batch));
    hipLaunchKernelGGL(HIP_KERNEL_NAME(channel_mean_kernel<Tx, Ty>), grid, dim3(kThreads), 0, stream, x, y, pixels,
                       int(channels), run, float(1.0 / double(pixels)));
    return hipGetLastError();
}

}  // namespace

namespace hv {

hipError_t launch_channel_mean(hv_dtype dtype, const void* x, float* y, int64_t batch, int64_t pixels,
                               int64_t channels, int64_t chunks, hipStream_t stream) {
    return with_storage(dtype, [&](auto storage) {
        using T = typename decltype(storage)::type;
        return channel_mean(static_cast<const T*>(x), y, batch, pixels, channels, chunks, stream);
    });
}

hipError_t launch_global_avg_pool(hv_dtype dtype, const void* x, void* y, int64_t batch, int64_t pixels,
                                  int64_t channels, hipStream_t stream) {
    return with_storage(dtype, [&](auto storage) {
        using T = typename decltype(storage)::type;
        return channel_mean(static_cast<const T*>(x), static_cast<T*>(y), batch, pixels, channels, 1, stream);
    });
}

}  // namespace hv
