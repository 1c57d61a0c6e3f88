// conv2d_dense.cpp: see conv2d_dense.h. No vendor convolution is wired in yet.
#include "conv2d_dense.h"

namespace hv {

hipError_t conv2d_dense(hv_dtype dtype, const void* x, const void* weight, const void* bias, void* y,
                        const ConvShape& s, bool x_nchw, int activation, hipStream_t stream) {
    return launch_conv2d_direct(dtype, x, weight, bias, y, s, x_nchw, activation, stream);
}

}  // namespace hv
