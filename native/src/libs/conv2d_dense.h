// conv2d_dense.h: the one call site of dense 2-D convolution. Today it runs HipVision's direct kernel
// (kernels/conv2d_direct.hip); a vendor path (MIOpen with HV_WITH_MIOPEN, cuDNN on NVIDIA) slots in here
// behind the same signature, keeping the direct kernel as the fallback for what the vendor refuses.
#pragma once

#include "../kernels/convnet.h"

namespace hv {

// y (NHWC) = act(conv(x, weight) + bias); x NCHW when x_nchw, else NHWC; weight [Cout, Cin, kh, kw].
// Tensors are elements of dtype (kernels/storage.h), arithmetic float.
hipError_t conv2d_dense(hv_dtype dtype, const void* x, const void* weight, const void* bias, void* y,
                        const ConvShape& s, bool x_nchw, int activation, hipStream_t stream);

}  // namespace hv
