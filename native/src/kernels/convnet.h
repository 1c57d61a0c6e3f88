// convnet.h: host-side launchers of the convolutional-network kernels (MobileNetV1, EfficientNet) and
// of the device preprocessing, called by native/src/api/ops_convnet.cpp and ops_preprocess.cpp.
// Each returns hipSuccess or the launch error; pointers are device pointers, shapes already validated
// (every extent >= 1 and fitting in int32, flat sizes in int64). Activations are NHWC. Tensors are elements
// of `dtype` (storage.h), arithmetic float.
#pragma once

#include <cstdint>

#include "hipvision.h"
#include "../platform/hv_platform.h"

namespace hv {

// One 2-D convolution's geometry; out_h/out_w already computed from the others.
struct ConvShape {
    int batch, height, width, in_channels, out_channels;
    int kernel_h, kernel_w, stride_h, stride_w;
    int pad_top, pad_left;
    int out_h, out_w;
};

// depthwise_conv2d.hip: in_channels == out_channels; weight [C, 1, kh, kw]; kh, kw <= 13.
hipError_t launch_depthwise_conv2d(hv_dtype dtype, const void* x, const void* weight, const void* bias, void* y,
                                   const ConvShape& s, int activation, hipStream_t stream);

// conv2d_direct.hip: weight [Cout, Cin, kh, kw]; x NCHW when x_nchw, else NHWC; y NHWC.
hipError_t launch_conv2d_direct(hv_dtype dtype, const void* x, const void* weight, const void* bias, void* y,
                                const ConvShape& s, bool x_nchw, int activation, hipStream_t stream);

// global_avg_pool.hip: y[b, c] = mean over the pixels of x[b, pixels, channels], y of x's dtype; the chunked
// form writes float32 y[b, k, c], the k-th of `chunks` partial means (summed over k they give the mean).
hipError_t launch_global_avg_pool(hv_dtype dtype, const void* x, void* y, int64_t batch, int64_t pixels,
                                  int64_t channels, hipStream_t stream);
hipError_t launch_channel_mean(hv_dtype dtype, const void* x, float* y, int64_t batch, int64_t pixels,
                               int64_t channels, int64_t chunks, hipStream_t stream);

// squeeze_excite.hip: floats of workspace the three kernels need (float32 scratch whatever dtype), and the
// launch of all three.
int64_t squeeze_excite_workspace_floats(int64_t batch, int64_t pixels, int64_t channels, int64_t reduced);
hipError_t launch_squeeze_excite(hv_dtype dtype, const void* x, const void* w_reduce, const void* b_reduce,
                                 const void* w_expand, const void* b_expand, float* workspace, void* y, int64_t batch,
                                 int64_t pixels, int64_t channels, int64_t reduced, int activation,
                                 hipStream_t stream);

// preprocess.hip: one axis of a Pillow resize, computed on the host (api/pil_resample.h) and uploaded.
// Output pixel i reads source indices first[i] .. first[i] + count[i] - 1 with int32 fixed-point weights
// weights[i * stride + j] (22 fraction bits). For a gather (no filter on this axis) count[i] is 1 and
// first[i] is the source index, or -1 for "outside the source: byte 0" (Pillow's NEAREST).
struct ResampleAxis {
    const int32_t* first;
    const int32_t* count;
    const int32_t* weights;  // null: a gather
    int stride;
    int out_size;
};

// Horizontal 8-bit pass: dst[r, x, ch] = clip8(sum_j src[first_row + r, first[x] + j, ch] * w) for r < rows.
hipError_t launch_resample_rows(const uint8_t* src, uint8_t* dst, int src_width, int first_row, int rows,
                                ResampleAxis horizontal, hipStream_t stream);

// Vertical pass (or gather) fused with crop, byte -> float table, and NCHW/NHWC layout. src is [rows, width, 3]
// whose row 0 is source row `row_shift`; `horizontal` is the column gather (first == null: identity, else
// NEAREST's map); a gather axis with first == null is the identity. table is 768 device floats.
// y has element type dtype (the table values are rounded to it on store).
hipError_t launch_preprocess_output(hv_dtype dtype, const uint8_t* src, const float* table, void* y, int src_width,
                                    int row_shift, ResampleAxis vertical, ResampleAxis horizontal, int crop_top,
                                    int crop_left, int out_h, int out_w, bool nchw, hipStream_t stream);

}  // namespace hv
