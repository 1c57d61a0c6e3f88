// squeeze_excite.hip: squeeze-and-excitation on NHWC (EfficientNet MBConv), as three kernels.
// Math, per image b (biases optional, act SiLU or ReLU):
//   s[c] = mean_p x[p, c];  r[j] = act(Σ_c w_reduce[j, c] · s[c] + b_reduce[j])
//   e[c] = sigmoid(Σ_j w_expand[c, j] · r[j] + b_expand[c]);  y[p, c] = x[p, c] · e[c]   (y may be x)
// Geometry:
//   1. squeeze: channel_mean_kernel (global_avg_pool.hip) with `chunks` = clamp(ceil(P / 1024), 1, 64)
//      runs of pixels per image, so a 300×300×64 map (B7's first SE) is 128 blocks, not 2; partial means
//      go to workspace [B, chunks, C].
//   2. se_reduce_kernel: grid (ceil(R / 8), B), 256 threads. The block adds the chunk partials into s[C]
//      in shared memory (fixed order: deterministic), then each team of 32 lanes computes one r[j] (lanes
//      stride over c, reading a row of w_reduce coalesced; a width-32 shuffle sum, valid for warps of 32
//      and 64). r goes to workspace [B, R] after the partials.
//   3. se_scale_kernel: grid (ceil(P / 256), ceil(C / 32), B), 256 threads = 32 channels × 8 pixel slices.
//      The block first computes e for its 32 channels (team t: channels t, t+8, t+16, t+24; lanes over j),
//      a redundant 32·R multiply-adds per block instead of a fourth launch, then scales 256 pixels × 32
//      channels with 128-byte accesses.
//   Workspace: B·chunks·C + B·R floats (squeeze_excite_workspace_floats). Accumulates in float.
//   Storage: x, y, weights and biases share one type (storage.h), widened on load; the partial means, r and
//   e stay float (the workspace is float32 whatever the type), so y = x·e is the only rounding.
//   Variants and timings: native/dev/squeeze_excite_bench.hip.
// Reference: native/tests/test_squeeze_excite.cpp (float64), test_precision.cpp.
#include "activation.h"
#include "convnet.h"
#include "storage.h"

namespace {

constexpr int kThreads = 256;
constexpr int kTeam = 32;  // lanes that reduce one dot product; divides both warp widths
constexpr int kTeams = kThreads / kTeam;
constexpr int kChannels = 32;
constexpr int kScalePixels = 256;
constexpr int64_t kPixelsPerChunk = 1024;
constexpr int64_t kMaxChunks = 64;

int64_t chunks_for(int64_t pixels) {
    const int64_t c = (pixels + kPixelsPerChunk - 1) / kPixelsPerChunk;
    return c < 1 ? 1 : c > kMaxChunks ? kMaxChunks : c;
}

__device__ __forceinline__ float team_sum(float v) {
    for (int offset = kTeam / 2; offset > 0; offset /= 2) v += __shfl_xor(v, offset, kTeam);
    return v;
}

template <class T>
__global__ void __launch_bounds__(kThreads)
se_reduce_kernel(const float* __restrict__ partial, const T* __restrict__ w_reduce, const T* __restrict__ b_reduce,
                 float* __restrict__ r, int chunks, int channels, int reduced,
                 int activation) {
    HV_DYNAMIC_SHARED(float, s);  // [channels]
    const int b = blockIdx.y;
    const float* pb = partial + size_t(b) * chunks * channels;
    for (int c = threadIdx.x; c < channels; c += blockDim.x) {
        float v = 0.0f;
        for (int k = 0; k < chunks; ++k) v += pb[size_t(k) * channels + c];
        s[c] = v;
    }
    __syncthreads();
    const int lane = threadIdx.x % kTeam;
    const int j = blockIdx.x * kTeams + threadIdx.x / kTeam;
    // Teams past the last row still join the shuffle: a warp of 64 holds two teams, and a shuffle
    // needs every lane of the warp.
    float dot = 0.0f;
    if (j < reduced) {
        const T* wj = w_reduce + size_t(j) * channels;
        for (int c = lane; c < channels; c += kTeam) dot += hv::load(wj[c]) * s[c];
    }
    dot = team_sum(dot);
    if (lane == 0 && j < reduced)
        r[size_t(b) * reduced + j] = activate(dot + (b_reduce ? hv::load(b_reduce[j]) : 0.0f), activation);
}

template <class T>
__global__ void __launch_bounds__(kThreads)
se_scale_kernel(const T* x, const float* __restrict__ r, const T* __restrict__ w_expand,
                const T* __restrict__ b_expand, T* y, int64_t pixels, int channels, int reduced) {
    __shared__ float e[kChannels];
    const int b = blockIdx.z;
    const int c0 = blockIdx.y * kChannels;
    const int lane = threadIdx.x % kTeam, team = threadIdx.x / kTeam;
    const float* rb = r + size_t(b) * reduced;
    for (int k = team; k < kChannels; k += kTeams) {  // the same trip count for every team (see above)
        const int c = c0 + k;
        float dot = 0.0f;
        if (c < channels) {
            const T* wc = w_expand + size_t(c) * reduced;
            for (int j = lane; j < reduced; j += kTeam) dot += hv::load(wc[j]) * rb[j];
        }
        dot = team_sum(dot);
        if (lane == 0 && c < channels) e[k] = sigmoid(dot + (b_expand ? hv::load(b_expand[c]) : 0.0f));
    }
    __syncthreads();
    const int ci = threadIdx.x % kChannels, slice = threadIdx.x / kChannels;
    const int c = c0 + ci;
    if (c >= channels) return;
    const float ec = e[ci];
    const int64_t first = int64_t(blockIdx.x) * kScalePixels;
    const int64_t end = first + kScalePixels < pixels ? first + kScalePixels : pixels;
    const size_t base = size_t(b) * pixels * channels + c;
    for (int64_t p = first + slice; p < end; p += kThreads / kChannels) {
        const size_t i = base + size_t(p) * channels;
        y[i] = hv::store<T>(hv::load(x[i]) * ec);
    }
}

}  // namespace

namespace hv {

int64_t squeeze_excite_workspace_floats(int64_t batch, int64_t pixels, int64_t channels, int64_t reduced) {
    return batch * chunks_for(pixels) * channels + batch * reduced;
}

hipError_t launch_squeeze_excite(hv_dtype dtype, const void* x, const void* w_reduce, const void* b_reduce,
                                 const void* w_expand, const void* b_expand, float* workspace, void* y, int64_t batch,
                                 int64_t pixels, int64_t channels, int64_t reduced, int activation,
                                 hipStream_t stream) {
    const int64_t chunks = chunks_for(pixels);
    float* partial = workspace;
    float* r = workspace + batch * chunks * channels;
    if (hipError_t e = launch_channel_mean(dtype, x, partial, batch, pixels, channels, chunks, stream); e != hipSuccess)
        return e;
    return with_storage(dtype, [&](auto storage) {
        using T = typename decltype(storage)::type;
        hipLaunchKernelGGL(se_reduce_kernel<T>, dim3(unsigned((reduced + kTeams - 1) / kTeams), unsigned(batch)),
                           dim3(kThreads), sizeof(float) * size_t(channels), stream, partial,
                           static_cast<const T*>(w_reduce), static_cast<const T*>(b_reduce), r, int(chunks),
                           int(channels), int(reduced), activation);
        if (hipError_t e = hipGetLastError(); e != hipSuccess) return e;
        const dim3 grid(unsigned((pixels + kScalePixels - 1) / kScalePixels),
                        unsigned((channels + kChannels - 1) / kChannels), unsigned(batch));
        hipLaunchKernelGGL(se_scale_kernel<T>, grid, dim3(kThreads), 0, stream, static_cast<const T*>(x), r,
                           static_cast<const T*>(w_expand), static_cast<const T*>(b_expand), static_cast<T*>(y),
                           pixels, int(channels), int(reduced));
        return hipGetLastError();
    });
}

}  // namespace hv
