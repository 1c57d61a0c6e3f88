// conv2d_direct.hip: HipVision's own dense 2-D convolution (groups = 1), bias and activation fused; the
// fallback behind conv2d_dense (native/src/libs/conv2d_dense.cpp), used for the stems (3 -> 32/64
// channels, 3x3 stride 2, NCHW pixel_values) and any k x k conv that is not 1x1.
// Math, per output (b, oy, ox, co), taps outside the image reading 0:
//   y[b,oy,ox,co] = act(bias[co] + Σ_{ci,ky,kx} x[b, ci, oy·sh − top + ky, ox·sw − left + kx] · w[co, ci, ky, kx])
// x is NCHW or NHWC (template flag); y is NHWC.
// Geometry: a block computes kPixels (32) consecutive output pixels (row-major over out_h × out_w) × kCout
//   (32) output channels of one image; grid = (ceil(OH·OW / 32), ceil(Cout / 32), batch), 256 threads.
//   Thread t owns output channel t % 32 and pixels t / 32 + 8·k, k < 4 (four accumulators). The input
//   channels go in chunks of 256 / (kh·kw): the chunk's weights for the block's 32 output channels are
//   staged in shared memory as [ci][ky][kx][32] (≤ 32 KiB, kh·kw ≤ 256), read by lanes without conflicts;
//   each input value is one load shared by the 32 lanes of a pixel (a broadcast). Writes are 128 contiguous
//   bytes per pixel. Accumulates in float. A direct kernel, not an implicit GEMM: good enough for stems
//   (Cin = 3); a vendor convolution can replace it behind conv2d_dense.
//   x, weight, bias and y share one storage type (storage.h): weights are widened into the float tile,
//   inputs on load; y is rounded once.
// Reference: native/tests/test_conv2d.cpp (float64), test_precision.cpp.
#include "activation.h"
#include "convnet.h"
#include "storage.h"

namespace {

constexpr int kCout = 32;
constexpr int kThreads = 256;
constexpr int kPixelGroups = kThreads / kCout;
constexpr int kPerThread = 4;
constexpr int kPixels = kPixelGroups * kPerThread;
constexpr int kStagedTaps = 256;  // input channels × taps staged per step

template <bool kNchw, class T>
__device__ __forceinline__ float load_x(const T* xb, const hv::ConvShape& s, int ci, int iy, int ix) {
    if (iy < 0 || iy >= s.height || ix < 0 || ix >= s.width) return 0.0f;
    return hv::load(kNchw ? xb[(size_t(ci) * s.height + iy) * s.width + ix]
                          : xb[(size_t(iy) * s.width + ix) * s.in_channels + ci]);
}

template <class T, bool kNchw>
__global__ void __launch_bounds__(kThreads)
conv2d_direct_kernel(const T* __restrict__ x, const T* __restrict__ weight, const T* __restrict__ bias,
                     T* __restrict__ y, hv::ConvShape s, int activation) {
    HV_DYNAMIC_SHARED(float, wtile);  // [chunk · taps][kCout]
    const int taps = s.kernel_h * s.kernel_w;
    const int chunk = kStagedTaps / taps;
    const int col = threadIdx.x % kCout;
    const int co = blockIdx.y * kCout + col;
    const int b = blockIdx.z;
    const int pixels = s.out_h * s.out_w;
    const T* xb = x + size_t(b) * s.in_channels * s.height * s.width;

    int iy0[kPerThread], ix0[kPerThread];
    for (int k = 0; k < kPerThread; ++k) {
        const int p = blockIdx.x * kPixels + threadIdx.x / kCout + k * kPixelGroups;
        iy0[k] = (p / s.out_w) * s.stride_h - s.pad_top;
        ix0[k] = (p % s.out_w) * s.stride_w - s.pad_left;
    }
    float acc[kPerThread] = {};

    for (int ci0 = 0; ci0 < s.in_channels; ci0 += chunk) {
        const int n = chunk < s.in_channels - ci0 ? chunk : s.in_channels - ci0;
        __syncthreads();  // the previous chunk's weights are no longer read
        for (int i = threadIdx.x; i < kCout * n * taps; i += blockDim.x) {
            const int c = i / (n * taps), r = i % (n * taps);  // r = ci_local · taps + tap
            const int oc = blockIdx.y * kCout + c;
            wtile[r * kCout + c] =
                oc < s.out_channels ? hv::load(weight[(size_t(oc) * s.in_channels + ci0) * taps + r]) : 0.0f;
        }
        __syncthreads();
        for (int cl = 0; cl < n; ++cl)
            for (int ky = 0; ky < s.kernel_h; ++ky)
                for (int kx = 0; kx < s.kernel_w; ++kx) {
                    const float w = wtile[((cl * s.kernel_h + ky) * s.kernel_w + kx) * kCout + col];
                    for (int k = 0; k < kPerThread; ++k)
                        acc[k] += load_x<kNchw>(xb, s, ci0 + cl, iy0[k] + ky, ix0[k] + kx) * w;
                }
    }

    if (co >= s.out_channels) return;
    const float bc = bias ? hv::load(bias[co]) : 0.0f;
    for (int k = 0; k < kPerThread; ++k) {
        const int p = blockIdx.x * kPixels + threadIdx.x / kCout + k * kPixelGroups;
        if (p < pixels) y[(size_t(b) * pixels + p) * s.out_channels + co] = hv::store<T>(activate(acc[k] + bc, activation));
    }
}

}  // namespace

namespace hv {

hipError_t launch_conv2d_direct(hv_dtype dtype, const void* x, const void* weight, const void* bias, void* y,
                                const ConvShape& s, bool x_nchw, int activation, hipStream_t stream) {
    const int taps = s.kernel_h * s.kernel_w;
    const size_t shared = sizeof(float) * kCout * size_t(kStagedTaps / taps) * taps;
    const int64_t pixels = int64_t(s.out_h) * s.out_w;
    const dim3 grid(unsigned((pixels + kPixels - 1) / kPixels), unsigned((s.out_channels + kCout - 1) / kCout),
                    unsigned(s.batch));
    return with_storage(dtype, [&](auto storage) {
        using T = typename decltype(storage)::type;
        const T* px = static_cast<const T*>(x);
        const T* pw = static_cast<const T*>(weight);
        const T* pb = static_cast<const T*>(bias);
        T* py = static_cast<T*>(y);
        if (x_nchw)
            hipLaunchKernelGGL(HIP_KERNEL_NAME(conv2d_direct_kernel<T, true>), grid, dim3(kThreads), shared, stream,
                               px, pw, pb, py, s, activation);
        else
            hipLaunchKernelGGL(HIP_KERNEL_NAME(conv2d_direct_kernel<T, false>), grid, dim3(kThreads), shared, stream,
                               px, pw, pb, py, s, activation);
        return hipGetLastError();
    });
}

}  // namespace hv
