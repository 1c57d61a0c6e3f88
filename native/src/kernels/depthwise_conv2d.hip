// depthwise_conv2d.hip: depthwise 2-D convolution on NHWC (MobileNetV1, EfficientNet MBConv), bias and
// activation fused (BatchNorm already folded into weight and bias by the caller).
// Math, per output (b, oy, ox, c), taps outside the image reading 0:
//   y = act(bias[c] + Σ_{ky<kh, kx<kw} x[b, oy·sh − top + ky, ox·sw − left + kx, c] · w[c, 0, ky, kx])
// Geometry: a block computes a tile of kTileH × kTileW output pixels × kChannels (32) channels of one image;
//   grid = (tiles_w · tiles_h, ceil(C / 32), batch), 256 threads. The block first stages in shared memory
//   (dynamic, sized by the launcher)
//     - the input tile with its halo, ((kTileH−1)·sh + kh) × ((kTileW−1)·sw + kw) pixels × 32 channels,
//       zero outside the image and beyond C, loaded with channels fastest so a warp reads 128-byte rows;
//     - the 32 channels' weights, a contiguous [32, kh·kw] slice of the PyTorch layout (coalesced).
//   Then thread t owns channel t % 32 and output pixels t / 32, t / 32 + 8, ...: consecutive lanes read
//   consecutive channels of one input pixel (no bank conflicts) and write 128 contiguous bytes.
//   Tiles are 8 × 8 at stride 1 and 4 × 8 at stride 2 (real maps: 150², 75², 38², 19² for B7 at 600,
//   112² .. 7² for MobileNetV1), halved while the staged tile would exceed 48 KiB (large kernels).
//   x, weight, bias and y share one storage type (storage.h): the staged tile and weights are widened to
//   float (shared memory is float), accumulation is float, y rounded once.
//   Variants and timings: native/dev/depthwise_conv2d_bench.hip.
// Reference: native/tests/test_depthwise_conv2d.cpp (float64), test_precision.cpp.
#include "activation.h"
#include "convnet.h"
#include "storage.h"

namespace {

constexpr int kChannels = 32;
constexpr int kThreads = 256;
constexpr int kPixelGroups = kThreads / kChannels;
constexpr size_t kMaxShared = 48 * 1024;

struct Tile {
    int h, w;            // output pixels per block
    int in_h, in_w;      // staged input pixels, halo included
    size_t shared_bytes;
};

Tile tile_for(const hv::ConvShape& s) {
    Tile t{s.stride_h == 1 ? 8 : 4, 8, 0, 0, 0};
    for (;;) {
        t.in_h = (t.h - 1) * s.stride_h + s.kernel_h;
        t.in_w = (t.w - 1) * s.stride_w + s.kernel_w;
        t.shared_bytes = sizeof(float) * kChannels * (size_t(t.in_h) * t.in_w + size_t(s.kernel_h) * s.kernel_w);
        if (t.shared_bytes <= kMaxShared || (t.h == 1 && t.w == 1)) return t;
        if (t.h >= t.w) t.h /= 2; else t.w /= 2;
    }
}

template <class T>
__global__ void __launch_bounds__(kThreads)
depthwise_conv2d_kernel(const T* __restrict__ x, const T* __restrict__ weight, const T* __restrict__ bias,
                        T* __restrict__ y, hv::ConvShape s, int tile_h, int tile_w, int in_h, int in_w,
                        int tiles_w, int activation) {
    HV_DYNAMIC_SHARED(float, smem);
    float* tile = smem;                                   // [in_h][in_w][kChannels]
    float* wts = smem + size_t(in_h) * in_w * kChannels;  // [kChannels][kh·kw]
    const int taps = s.kernel_h * s.kernel_w;
    const int c0 = blockIdx.y * kChannels;
    const int b = blockIdx.z;
    const int oy0 = (blockIdx.x / tiles_w) * tile_h;
    const int ox0 = (blockIdx.x % tiles_w) * tile_w;
    const int iy0 = oy0 * s.stride_h - s.pad_top;
    const int ix0 = ox0 * s.stride_w - s.pad_left;
    const int C = s.in_channels;
    const T* xb = x + size_t(b) * s.height * s.width * C;

    for (int i = threadIdx.x; i < in_h * in_w * kChannels; i += blockDim.x) {
        const int ci = i % kChannels, p = i / kChannels;
        const int iy = iy0 + p / in_w, ix = ix0 + p % in_w, c = c0 + ci;
        const bool inside = iy >= 0 && iy < s.height && ix >= 0 && ix < s.width && c < C;
        tile[i] = inside ? hv::load(xb[(size_t(iy) * s.width + ix) * C + c]) : 0.0f;
    }
    for (int i = threadIdx.x; i < kChannels * taps; i += blockDim.x)
        wts[i] = int64_t(c0) * taps + i < int64_t(C) * taps ? hv::load(weight[size_t(c0) * taps + i]) : 0.0f;
    __syncthreads();

    const int ci = threadIdx.x % kChannels;
    const int c = c0 + ci;
    if (c >= C) return;
    const float bc = bias ? hv::load(bias[c]) : 0.0f;
    const float* wc = wts + ci * taps;
    for (int p = threadIdx.x / kChannels; p < tile_h * tile_w; p += kPixelGroups) {
        const int ty = p / tile_w, tx = p % tile_w;
        const int oy = oy0 + ty, ox = ox0 + tx;
        if (oy >= s.out_h || ox >= s.out_w) continue;
        float acc = bc;
        const float* in = tile + (size_t(ty) * s.stride_h * in_w + size_t(tx) * s.stride_w) * kChannels + ci;
        for (int ky = 0; ky < s.kernel_h; ++ky)
            for (int kx = 0; kx < s.kernel_w; ++kx)
                acc += in[(ky * in_w + kx) * kChannels] * wc[ky * s.kernel_w + kx];
        y[((size_t(b) * s.out_h + oy) * s.out_w + ox) * C + c] = hv::store<T>(activate(acc, activation));
    }
}

}  // namespace

namespace hv {

hipError_t launch_depthwise_conv2d(hv_dtype dtype, const void* x, const void* weight, const void* bias, void* y,
                                   const ConvShape& s, int activation, hipStream_t stream) {
    const Tile t = tile_for(s);
    const int tiles_h = (s.out_h + t.h - 1) / t.h, tiles_w = (s.out_w + t.w - 1) / t.w;
    const dim3 grid(unsigned(tiles_h * tiles_w), unsigned((s.in_channels + kChannels - 1) / kChannels), unsigned(s.batch));
    return with_storage(dtype, [&](auto storage) {
        using T = typename decltype(storage)::type;
        hipLaunchKernelGGL(depthwise_conv2d_kernel<T>, grid, dim3(kThreads), t.shared_bytes, stream,
                           static_cast<const T*>(x), static_cast<const T*>(weight), static_cast<const T*>(bias),
                           static_cast<T*>(y), s, t.h, t.w, t.in_h, t.in_w, tiles_w, activation);
        return hipGetLastError();
    });
}

}  // namespace hv
