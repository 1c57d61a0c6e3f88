// layer_scale.hip: BEiT's layer scale (lambda_1, lambda_2) with the residual add after it fused.
// Math, x, residual, y [rows, cols], gamma [cols]:
//   y[r, c] = x[r, c]·gamma[c] + residual[r, c]   (residual may be null: 0)
// Geometry: grid-stride over rows·cols, 256 threads. y may alias x or residual (one thread per element).
// Elements of any storage type (storage.h), computed in float, rounded once on store.
// Reference: native/tests/test_elementwise.cpp, test_precision.cpp.
#include "kernels.h"
#include "launch.h"
#include "storage.h"

namespace {

template <class T>
__global__ void __launch_bounds__(hv::kElementwiseThreads)
layer_scale_kernel(const T* x, const T* gamma, const T* residual, T* y, int64_t total, int64_t cols) {
    for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
        const float scaled = hv::load(x[i]) * hv::load(gamma[i % cols]);
        y[i] = hv::store<T>(residual ? scaled + hv::load(residual[i]) : scaled);
    }
}

}  // namespace

namespace hv {

hipError_t launch_layer_scale(hv_dtype dtype, const void* x, const void* gamma, const void* residual, void* y,
                              int64_t rows, int64_t cols, hipStream_t stream) {
    const int64_t total = rows * cols;
    if (total == 0) return hipSuccess;
    return with_storage(dtype, [&](auto storage) {
        using T = typename decltype(storage)::type;
        hipLaunchKernelGGL(layer_scale_kernel<T>, grid_stride_blocks(total), dim3(kElementwiseThreads), 0, stream,
                           static_cast<const T*>(x), static_cast<const T*>(gamma), static_cast<const T*>(residual),
                           static_cast<T*>(y), total, cols);
        return hipGetLastError();
    });
}

}  // namespace hv
