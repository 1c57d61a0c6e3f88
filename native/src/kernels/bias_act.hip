// bias_act.hip: the elementwise epilogue y = act(x + bias[col]) (hv_activate, no bias; hv_linear/hv_gemm
// after a vendor GEMM, whose own epilogue cannot apply our activations).
// Math, for each of `batch` matrices [rows, cols] starting every `stride` elements:
//   y[z, r, c] = act(x[z, r, c] + bias[c])   (bias may be null: 0; act from activation.h)
// Geometry: grid-stride over batch·rows·cols, 256 threads, the grid capped by grid_stride_blocks.
//   y may alias x: every element is read then written by the same thread.
//   Any storage type (storage.h): x and bias widened to float, y rounded once.
// Reference: native/tests/test_elementwise.cpp (every activation), test_gemm.cpp (the vendor-GEMM epilogue
//   shares activation.h with gemm.hip), test_precision.cpp.
#include "activation.h"
#include "kernels.h"
#include "launch.h"
#include "storage.h"

namespace {

template <class T>
__global__ void __launch_bounds__(hv::kElementwiseThreads)
bias_act_kernel(const T* x, const T* bias, T* y, int64_t total, int64_t matrix, int64_t stride, int64_t cols,
                int activation) {
    for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
        const int64_t at = (i / matrix) * stride + i % matrix;
        const float b = bias ? hv::load(bias[i % cols]) : 0.0f;
        y[at] = hv::store<T>(activate(hv::load(x[at]) + b, activation));
    }
}

}  // namespace

namespace hv {

hipError_t launch_bias_act(hv_dtype dtype, const void* x, const void* bias, void* y, int64_t batch, int64_t rows,
                           int64_t cols, int64_t stride, int activation, hipStream_t stream) {
    const int64_t matrix = rows * cols, total = batch * matrix;
    if (total == 0) return hipSuccess;
    return with_storage(dtype, [&](auto storage) {
        using T = typename decltype(storage)::type;
        hipLaunchKernelGGL(bias_act_kernel<T>, grid_stride_blocks(total), dim3(kElementwiseThreads), 0, stream,
                           static_cast<const T*>(x), static_cast<const T*>(bias), static_cast<T*>(y), total, matrix,
                           stride, cols, activation);
        return hipGetLastError();
    });
}

}  // namespace hv
