// batch_norm.hip: inference BatchNorm (torch.nn.BatchNorm2d in eval mode) with an activation after it, for
// models whose BatchNorm is not folded into the preceding convolution's weights.
// Math, per element of channel c (statistics and affine parameters of that channel):
//   y = act((x − mean[c]) · (gamma[c] / sqrt(var[c] + eps)) + beta[c])   (gamma, beta may be null: 1, 0)
//   x, y [batch, channels, spatial]: c = (i / spatial) mod channels (NCHW), or
//   [batch, spatial, channels]: c = i mod channels (NHWC).
// Geometry: grid-stride over batch·channels·spatial, 256 threads; each thread recomputes its channel's
//   scale (one sqrt and divide: the op is bound by memory traffic anyway). y may alias x (one thread per
//   element). One storage type for all tensors (storage.h), float arithmetic, y rounded once.
// Reference: native/tests/test_elementwise.cpp (both layouts, every activation), test_precision.cpp.
#include "activation.h"
#include "kernels.h"
#include "launch.h"
#include "storage.h"

namespace {

template <class T>
__global__ void __launch_bounds__(hv::kElementwiseThreads)
batch_norm_kernel(const T* x, const T* mean, const T* var, const T* gamma, const T* beta, T* y, int64_t total,
                  int64_t channels, int64_t spatial, bool nchw, float eps, int activation) {
    for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
        const int64_t c = nchw ? (i / spatial) % channels : i % channels;
        const float scale = (gamma ? hv::load(gamma[c]) : 1.0f) / sqrtf(hv::load(var[c]) + eps);
        const float shift = beta ? hv::load(beta[c]) : 0.0f;
        y[i] = hv::store<T>(activate((hv::load(x[i]) - hv::load(mean[c])) * scale + shift, activation));
    }
}

}  // namespace

namespace hv {

hipError_t launch_batch_norm(hv_dtype dtype, const void* x, const void* mean, const void* var, const void* gamma,
                             const void* beta, void* y, int64_t batch, int64_t channels, int64_t spatial, bool nchw,
                             float eps, int activation, hipStream_t stream) {
    const int64_t total = batch * channels * spatial;
    if (total == 0) return hipSuccess;
    return with_storage(dtype, [&](auto storage) {
        using T = typename decltype(storage)::type;
        hipLaunchKernelGGL(batch_norm_kernel<T>, grid_stride_blocks(total), dim3(kElementwiseThreads), 0, stream,
                           static_cast<const T*>(x), static_cast<const T*>(mean), static_cast<const T*>(var),
                           static_cast<const T*>(gamma), static_cast<const T*>(beta), static_cast<T*>(y), total,
                           channels, spatial, nchw, eps, activation);
        return hipGetLastError();
    });
}

}  // namespace hv
