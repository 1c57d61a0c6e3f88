// add.hip: y = a + b with b broadcast over leading rows (residual adds; ViT position embeddings).
// Math: a, y are [rows, cols], b is [b_rows, cols], rows a multiple of b_rows:
//   y[r, c] = a[r, c] + b[r mod b_rows, c], i.e. on flat indices y[i] = a[i] + b[i mod (b_rows·cols)]
// Geometry: grid-stride over rows·cols, 256 threads. y may alias a (or b when b_rows == rows):
//   each element is read and written by one thread.
// Elements of any storage type (storage.h), added in float, rounded once on store.
// Reference: native/tests/test_elementwise.cpp, test_precision.cpp.
#include "kernels.h"
#include "launch.h"
#include "storage.h"

namespace {

template <class T>
__global__ void __launch_bounds__(hv::kElementwiseThreads)
add_kernel(const T* a, const T* b, T* y, int64_t total, int64_t b_total) {
    for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x)
        y[i] = hv::store<T>(hv::load(a[i]) + hv::load(b[i % b_total]));
}

}  // namespace

namespace hv {

hipError_t launch_add(hv_dtype dtype, const void* a, const void* b, void* y, int64_t rows, int64_t cols,
                      int64_t b_rows, hipStream_t stream) {
    const int64_t total = rows * cols;
    if (total == 0) return hipSuccess;
    return with_storage(dtype, [&](auto storage) {
        using T = typename decltype(storage)::type;
        hipLaunchKernelGGL(add_kernel<T>, grid_stride_blocks(total), dim3(kElementwiseThreads), 0, stream,
                           static_cast<const T*>(a), static_cast<const T*>(b), static_cast<T*>(y), total,
                           b_rows * cols);
        return hipGetLastError();
    });
}

}  // namespace hv
