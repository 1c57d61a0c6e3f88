// cast.hip: element type conversion (hv_cast): y[i] = store<Ty>(load(x[i])) for i < count.
// Math: widening to float is exact for all three types, so a cast is the single rounding of storage.h's
//   store (round to nearest even, fp16 overflow to ±inf, NaN made quiet); float16 <-> bfloat16 goes through
//   float exactly as two separate casts would, and a same-type cast is a bit-exact copy (NaN payloads too).
// Geometry: grid-stride over count, 256 threads; y may be x itself when the types match (one thread per
//   element), never an overlapping range of another type (checked by the caller).
// Reference: native/tests/test_precision.cpp (special values against an independent float64 rounding).
#include <type_traits>

#include "kernels.h"
#include "launch.h"
#include "storage.h"

namespace {

template <class Tx, class Ty>
__global__ void __launch_bounds__(hv::kElementwiseThreads) cast_kernel(const Tx* x, Ty* y, int64_t count) {
    for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += int64_t(gridDim.x) * blockDim.x)
        if constexpr (std::is_same_v<Tx, Ty>) y[i] = x[i];  // keeps signalling NaNs signalling
        else y[i] = hv::store<Ty>(hv::load(x[i]));
}

}  // namespace

namespace hv {

hipError_t launch_cast(hv_dtype x_dtype, hv_dtype y_dtype, const void* x, void* y, int64_t count, hipStream_t stream) {
    if (count == 0) return hipSuccess;
    return with_storage(x_dtype, [&](auto x_storage) {
        return with_storage(y_dtype, [&](auto y_storage) {
            using Tx = typename decltype(x_storage)::type;
            using Ty = typename decltype(y_storage)::type;
            hipLaunchKernelGGL(HIP_KERNEL_NAME(cast_kernel<Tx, Ty>), grid_stride_blocks(count),
                               dim3(kElementwiseThreads), 0, stream, static_cast<const Tx*>(x), static_cast<Ty*>(y),
                               count);
            return hipGetLastError();
        });
    });
}

}  // namespace hv
