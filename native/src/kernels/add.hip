// add.hip: y = a + b with b broadcast over leading rows (residual adds; ViT position embeddings).
// Math: a, y are [rows, cols], b is [b_rows, cols], rows a multiple of b_rows:
//   y[r, c] = a[r, c] + b[r mod b_rows, c], i.e. on flat indices y[i] = a[i] + b[i mod (b_rows·cols)]
// Geometry: grid-stride over rows·cols, 256 threads. y may alias a (or b when b_rows == rows):
//   each element is read and written by one thread.
// Reference: native/tests/test_elementwise.cpp.
#include "kernels.h"
#include "launch.h"

namespace {

__global__ void __launch_bounds__(hv::kElementwiseThreads)
add_kernel(const float* a, const float* b, float* y, int64_t total, int64_t b_total) {
    for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x)
        y[i] = a[i] + b[i % b_total];
}

}  // namespace

namespace hv {

hipError_t launch_add(const float* a, const float* b, float* y, int64_t rows, int64_t cols, int64_t b_rows,
                      hipStream_t stream) {
    const int64_t total = rows * cols;
    if (total == 0) return hipSuccess;
    hipLaunchKernelGGL(add_kernel, grid_stride_blocks(total), dim3(kElementwiseThreads), 0, stream,
                       a, b, y, total, b_rows * cols);
    return hipGetLastError();
}

}  // namespace hv
