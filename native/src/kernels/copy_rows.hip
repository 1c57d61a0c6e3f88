// copy_rows.hip: copies a run of rows per batch item between token tensors: ViT's CLS prepend
// (torch.cat((cls_token, embeddings), dim=1), as two copies) and the CLS slice (sequence_output[:, 0]).
// Math, for b < batch, r < rows, c < dim (strides in elements; x_batch_stride 0 repeats one source):
//   y[b·y_batch_stride + r·dim + c] = x[b·x_batch_stride + r·dim + c]
//   (callers fold row offsets into the pointers)
// Geometry: grid-stride over batch·rows·dim, 256 threads; consecutive threads copy consecutive elements.
// Elements of any storage type are copied as they are (bit-exact).
// Reference: native/tests/test_token_ops.cpp, test_precision.cpp.
#include "kernels.h"
#include "launch.h"
#include "storage.h"

namespace {

template <class T>
__global__ void __launch_bounds__(hv::kElementwiseThreads)
copy_rows_kernel(const T* x, T* y, int64_t total, int64_t run, int64_t x_batch_stride,
                 int64_t y_batch_stride) {
    for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
        const int64_t b = i / run, e = i % run;
        y[b * y_batch_stride + e] = x[b * x_batch_stride + e];
    }
}

}  // namespace

namespace hv {

hipError_t launch_copy_rows(hv_dtype dtype, const void* x, void* y, int64_t batch, int64_t rows, int64_t dim,
                            int64_t x_batch_stride, int64_t y_batch_stride, hipStream_t stream) {
    const int64_t run = rows * dim, total = batch * run;
    if (total == 0) return hipSuccess;
    return with_storage(dtype, [&](auto storage) {
        using T = typename decltype(storage)::type;
        hipLaunchKernelGGL(copy_rows_kernel<T>, grid_stride_blocks(total), dim3(kElementwiseThreads), 0, stream,
                           static_cast<const T*>(x), static_cast<T*>(y), total, run, x_batch_stride, y_batch_stride);
        return hipGetLastError();
    });
}

}  // namespace hv
