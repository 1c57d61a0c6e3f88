// conv2d_dense.h: the one call site of dense 2-D convolution (hv_conv2d). Per shape it runs either a vendor library's
// convolution (conv2d_vendor.h: MIOpen with HV_WITH_MIOPEN, cuDNN with HV_WITH_CUDNN), with the bias and activation
// as one elementwise pass after it (kernels/bias_act.hip), or HipVision's direct kernel (kernels/conv2d_direct.hip)
// with both fused. The direct kernel runs when the build has no vendor library (the emulator), for 1x1 kernels (the
// plans' NCHW -> NHWC identity transposes, exact on the direct kernel), and when the vendor declines the shape; the
// reason is recorded (conv2d_report).
// The choice is made once per shape by conv2d_prepare (hv_conv2d_prepare, at plan build): the vendor's find step,
// or its result from the tuning cache (tuning_cache.h) in the context's hv_context_options.tuning_cache_dir.
// Vendors take symmetric padding only: an asymmetric one (TF "SAME", the EfficientNet and MobileNetV1 stems) is
// materialised first by the direct kernel as a 1x1 identity convolution with that padding, into an NHWC scratch
// tensor the vendor then convolves unpadded. Every prepared shape owns its device scratch (identity weight, padded
// input, workspace) for the context's lifetime, so a captured graph never points at memory a later prepare freed.
#pragma once

#include <memory>
#include <string>

#include "../kernels/convnet.h"

namespace hv {

struct Device;
struct ConvState;  // conv2d_dense.cpp: the choices per shape, the vendor handle, the tuning cache

// Called when a context opens (after its stream exists) and when it closes (before the stream goes).
void conv_open(Device& device, const std::string& tuning_cache_dir);
void conv_close(Device& device) noexcept;

// hv_tuning: what conv2d_prepare did for a shape.
enum class Tuning { none = 0, cold = 1, warm = 2 };

// Decides what conv2d_dense runs for this shape (see above) and allocates its scratch. none: nothing to tune (no
// vendor library); cold: the find step ran now; warm: the choice came from the tuning cache (the file, or an earlier
// prepare on this context). Not while capturing. Throws hv::Error on a library or allocation failure.
Tuning conv2d_prepare(const Device& device, const ConvShape& s, bool x_nchw);

// Queues y (NHWC) = act(conv(x, weight) + bias); x NCHW when x_nchw, else NHWC; weight [Cout, Cin, kh, kw].
// Tensors are elements of dtype (kernels/storage.h), arithmetic float. The vendor path is float32 only (prepare takes
// no dtype yet): float16/bfloat16 run the direct kernel. An unprepared float32 shape is prepared first (its find step
// on the first run) unless the stream is capturing, which runs the direct kernel for it instead. Throws hv::Error on
// a launch or library failure.
void conv2d_dense(const Device& device, hv_dtype dtype, const void* x, const void* weight, const void* bias, void* y,
                  const ConvShape& s, bool x_nchw, int activation);

// One line per prepared shape ("conv2d|...: cudnn:IMPLICIT_PRECOMP_GEMM 0.084 ms, 0 B workspace, from cache" or
// "...: direct (cudnn declined: ...)"), then the tuning cache's warnings.
std::string conv2d_report(const Device& device);

}  // namespace hv
