// preprocess.hip: HF image preprocessing on the device: Pillow 9.4's resize of a uint8 RGB image, center
// crop, byte -> float (rescale/normalize tabulated by the caller), NCHW or NHWC output.
// Math (Pillow's ImagingResample, 8-bit path; coefficients from api/pil_resample.cpp, 22 fraction bits):
//   horizontal: t[y, x, ch] = clip8((2^21 + Σ_j src[y, first_x + j, ch] · w_x[j]) >> 22)
//   vertical:   u[y, x, ch] = clip8((2^21 + Σ_j t[first_y + j, x, ch] · w_y[j]) >> 22)
//   clip8 clamps to [0, 255] after the arithmetic shift (floor), as Pillow's clip8 lookup does; a pass is
//   skipped when its axis keeps its size, and NEAREST is a gather through per-axis source maps (-1: the
//   sample fell outside the source, the byte stays 0). Then out[ch, oy, ox] = table[ch][u[oy + top, ox + left, ch]],
//   with u = 0 outside the resized image (HF pads before cropping).
// Geometry: resample_rows_kernel, one thread per (row, output column), all three channels: grid
//   (ceil(out_w / 256), rows). preprocess_output_kernel, one thread per output pixel with the 768-float
//   table in shared memory: grid (ceil(out_w / 256), out_h); the vertical filter reads `count` rows of one
//   column (neighbouring threads read neighbouring bytes). Integer arithmetic throughout, so results are
//   bit-exact to Pillow; the float step is one table lookup, rounded once to y's element type.
// Reference: native/tests/test_preprocess.cpp (a C++ port of src/HipVision/Imaging/PilResize.cs).
#include "convnet.h"
#include "storage.h"

namespace {

constexpr int kThreads = 256;
constexpr int kPrecisionBits = 22;

__device__ __forceinline__ uint8_t clip8(int acc) {
    const int v = acc >> kPrecisionBits;
    return uint8_t(v < 0 ? 0 : v > 255 ? 255 : v);
}

__global__ void __launch_bounds__(kThreads)
resample_rows_kernel(const uint8_t* __restrict__ src, uint8_t* __restrict__ dst, int src_width, int first_row,
                     hv::ResampleAxis h) {
    const int x = blockIdx.x * blockDim.x + threadIdx.x;
    if (x >= h.out_size) return;
    const int row = blockIdx.y;
    const uint8_t* in = src + (size_t(first_row + row) * src_width + h.first[x]) * 3;
    const int32_t* w = h.weights + size_t(x) * h.stride;
    int acc[3] = {1 << (kPrecisionBits - 1), 1 << (kPrecisionBits - 1), 1 << (kPrecisionBits - 1)};
    for (int j = 0; j < h.count[x]; ++j)
        for (int ch = 0; ch < 3; ++ch) acc[ch] += int(in[j * 3 + ch]) * w[j];
    uint8_t* out = dst + (size_t(row) * h.out_size + x) * 3;
    for (int ch = 0; ch < 3; ++ch) out[ch] = clip8(acc[ch]);
}

template <class T>
__global__ void __launch_bounds__(kThreads)
preprocess_output_kernel(const uint8_t* __restrict__ src, const float* __restrict__ table, T* __restrict__ y,
                         int src_width, int row_shift, hv::ResampleAxis v, hv::ResampleAxis h, int crop_top,
                         int crop_left, int out_h, int out_w, bool nchw) {
    __shared__ float lut[3 * 256];
    for (int i = threadIdx.x; i < 3 * 256; i += blockDim.x) lut[i] = table[i];
    __syncthreads();
    const int ox = blockIdx.x * blockDim.x + threadIdx.x;
    if (ox >= out_w) return;
    const int oy = blockIdx.y;
    const int ry = oy + crop_top, rx = ox + crop_left;
    uint8_t u[3] = {0, 0, 0};
    if (ry >= 0 && ry < v.out_size && rx >= 0 && rx < h.out_size) {
        const int sx = h.first ? h.first[rx] : rx;
        if (v.weights && sx >= 0) {
            const uint8_t* in = src + (size_t(v.first[ry] - row_shift) * src_width + sx) * 3;
            const int32_t* w = v.weights + size_t(ry) * v.stride;
            int acc[3] = {1 << (kPrecisionBits - 1), 1 << (kPrecisionBits - 1), 1 << (kPrecisionBits - 1)};
            for (int j = 0; j < v.count[ry]; ++j)
                for (int ch = 0; ch < 3; ++ch) acc[ch] += int(in[size_t(j) * src_width * 3 + ch]) * w[j];
            for (int ch = 0; ch < 3; ++ch) u[ch] = clip8(acc[ch]);
        } else if (sx >= 0) {
            const int sy = v.first ? v.first[ry] : ry;
            if (sy >= 0)
                for (int ch = 0; ch < 3; ++ch) u[ch] = src[(size_t(sy - row_shift) * src_width + sx) * 3 + ch];
        }
    }
    const size_t plane = size_t(out_h) * out_w, pixel = size_t(oy) * out_w + ox;
    for (int ch = 0; ch < 3; ++ch) {
        const T value = hv::store<T>(lut[ch * 256 + u[ch]]);
        if (nchw) y[ch * plane + pixel] = value;
        else y[pixel * 3 + ch] = value;
    }
}

}  // namespace

namespace hv {

hipError_t launch_resample_rows(const uint8_t* src, uint8_t* dst, int src_width, int first_row, int rows,
                                ResampleAxis horizontal, hipStream_t stream) {
    const dim3 grid(unsigned((horizontal.out_size + kThreads - 1) / kThreads), unsigned(rows));
    hipLaunchKernelGGL(resample_rows_kernel, grid, dim3(kThreads), 0, stream, src, dst, src_width, first_row,
                       horizontal);
    return hipGetLastError();
}

hipError_t launch_preprocess_output(hv_dtype dtype, const uint8_t* src, const float* table, void* y, int src_width,
                                    int row_shift, ResampleAxis vertical, ResampleAxis horizontal, int crop_top,
                                    int crop_left, int out_h, int out_w, bool nchw, hipStream_t stream) {
    const dim3 grid(unsigned((out_w + kThreads - 1) / kThreads), unsigned(out_h));
    return with_storage(dtype, [&](auto storage) {
        using T = typename decltype(storage)::type;
        hipLaunchKernelGGL(preprocess_output_kernel<T>, grid, dim3(kThreads), 0, stream, src, table,
                           static_cast<T*>(y), src_width, row_shift, vertical, horizontal, crop_top, crop_left, out_h,
                           out_w, nchw);
        return hipGetLastError();
    });
}

}  // namespace hv
