// softmax.hip: softmax over the last dimension (torch.softmax(x, dim=-1)), numerically stable, computed in
// float whatever the storage type (max and sum in float, each y rounded once on store).
// Math, per row r of x[rows, cols]:  m = max_c x;  s = Σ_c e^(x−m);  y = e^(x−m) / s
// Geometry: one block per row, 256 threads striding over cols; block_max then block_sum (block_reduce.h,
//   correct for warp 32 and 64). Three reads of the row, one write; y may alias x because every
//   thread rewrites only the columns it read, after both reductions.
// Reference: native/tests/test_elementwise.cpp (float64, rows offset by 80 so e^x would overflow),
//   test_precision.cpp.
#include "block_reduce.h"
#include "kernels.h"
#include "storage.h"

namespace {

constexpr int kThreads = 256;

template <class T>
__global__ void __launch_bounds__(kThreads) softmax_kernel(const T* x, T* y, int cols) {
    __shared__ float scratch[HV_MAX_WARPS_PER_BLOCK];
    const size_t offset = size_t(blockIdx.x) * size_t(cols);
    x += offset;
    y += offset;
    float m = -INFINITY;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) m = fmaxf(m, hv::load(x[c]));
    m = block_max(m, scratch);
    float s = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) s += expf(hv::load(x[c]) - m);
    const float inv = 1.0f / block_sum(s, scratch);
    for (int c = threadIdx.x; c < cols; c += blockDim.x) y[c] = hv::store<T>(expf(hv::load(x[c]) - m) * inv);
}

}  // namespace

namespace hv {

hipError_t launch_softmax(hv_dtype dtype, const void* x, void* y, int64_t rows, int64_t cols, hipStream_t stream) {
    if (rows == 0) return hipSuccess;
    return with_storage(dtype, [&](auto storage) {
        using T = typename decltype(storage)::type;
        hipLaunchKernelGGL(softmax_kernel<T>, dim3(unsigned(rows)), dim3(kThreads), 0, stream,
                           static_cast<const T*>(x), static_cast<T*>(y), int(cols));
        return hipGetLastError();
    });
}

}  // namespace hv
