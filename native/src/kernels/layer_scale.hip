// layer_scale.hip: BEiT's layer scale (lambda_1, lambda_2) with the residual add after it fused.
// Math, x, residual, y [rows, cols], gamma [cols]:
//   y[r, c] = x[r, c]·gamma[c] + residual[r, c]   (residual may be null: 0)
// Geometry: grid-stride over rows·cols, 256 threads. y may alias x or residual (one thread per element).
// Reference: native/tests/test_elementwise.cpp.
#include "kernels.h"
#include "launch.h"

namespace {

__global__ void __launch_bounds__(hv::kElementwiseThreads)
layer_scale_kernel(const float* x, const float* gamma, const float* residual, float* y, int64_t total, int64_t cols) {
    for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
        const float scaled = x[i] * gamma[i % cols];
        y[i] = residual ? scaled + residual[i] : scaled;
    }
}

}  // namespace

namespace hv {

hipError_t launch_layer_scale(const float* x, const float* gamma, const float* residual, float* y, int64_t rows,
                              int64_t cols, hipStream_t stream) {
    const int64_t total = rows * cols;
    if (total == 0) return hipSuccess;
    hipLaunchKernelGGL(layer_scale_kernel, grid_stride_blocks(total), dim3(kElementwiseThreads), 0, stream,
                       x, gamma, residual, y, total, cols);
    return hipGetLastError();
}

}  // namespace hv
