// conv2d_vendor.h: the vendor half of conv2d_dense (conv2d_dense.cpp holds the other half: the choice per shape,
// the tuning cache, the padding step, bias + activation). Exactly one of these files is built per library:
//   conv2d_miopen.cpp    MIOpen (HV_GPU=amd, HV_WITH_MIOPEN=ON)
//   conv2d_cudnn.cpp     cuDNN  (HV_GPU=nvidia, HV_WITH_CUDNN=ON)
//   conv2d_novendor.cpp  none: every shape runs the direct kernel (the emulator, or a build without the library)
// The problem a vendor sees: x NCHW [N, Ci, H, W] or NHWC [N, H, W, Ci] (described by strides), weight
// [Co, Ci, kh, kw] (PyTorch's KCRS), y NHWC [N, oh, ow, Co], float32, groups 1, dilation 1, symmetric zero padding
// (pad_top on both rows, pad_left on both columns; conv2d_dense materialises TF "SAME"'s asymmetric padding first),
// y = conv(x, w) only (alpha 1, beta 0): bias and activation run after it (kernels/bias_act.hip).
// Functions throw hv::Error on library failures; "the library declines this shape" is a false return with a reason.
#pragma once

#include <memory>
#include <string>

#include "../kernels/convnet.h"
#include "tuning_cache.h"

namespace hv {

struct VendorConvPlan;  // the descriptors of one problem, defined by the vendor file

// What the vendor convolves for shape s (conv2d_problem.cpp, GPU-free): s itself when its padding is symmetric or the
// extra bottom/right padding is never read; else the padded copy that a 1x1 identity convolution with s's padding
// writes (`pad`: Ci -> Ci, stride 1, s's top/left, out = the padded extent; NHWC), convolved unpadded.
struct VendorProblem {
    ConvShape shape;
    bool x_nchw = false;
    bool pad_first = false;
    ConvShape pad;
};
VendorProblem vendor_problem(const ConvShape& s, bool x_nchw);

// "miopen", "cudnn", or "" when this build has no vendor convolution.
const char* conv_vendor_name();

// Library name and version for the tuning cache's identity ("miopen 3.2.0", "cudnn 90100").
std::string conv_vendor_version();

// The device for the tuning cache's identity: name and architecture ("AMD Instinct MI300X gfx942:sramecc+:xnack-",
// "NVIDIA H200 sm_90").
std::string conv_device_name(int ordinal);

// The library handle, bound to `stream`; null when conv_vendor_name() is "". conv_vendor_close(null) is a no-op.
void* conv_vendor_open(hipStream_t stream);
void conv_vendor_close(void* handle) noexcept;

// Descriptors for the problem (see above); null with *why when the library cannot express it.
std::shared_ptr<VendorConvPlan> conv_vendor_describe(void* handle, const ConvShape& s, bool x_nchw, std::string* why);

// The find step: times the library's candidate algorithms on scratch buffers of the problem's sizes (allocated and
// freed here, so it is for plan build, not for a run) and fills *chosen with the fastest (algorithm name, vendor id,
// workspace bytes, measured ms). false with *why when no algorithm applies.
bool conv_vendor_find(void* handle, VendorConvPlan& plan, TuningEntry* chosen, std::string* why);

// Makes a choice read from the tuning cache ready to run (MIOpen compiles the solution; cuDNN checks the workspace
// of the algorithm). false with *why when this library no longer accepts it.
bool conv_vendor_load(void* handle, VendorConvPlan& plan, const TuningEntry& chosen, std::string* why);

// Queues y = conv(x, w) on the handle's stream with the chosen algorithm; workspace holds chosen.workspace_bytes.
void conv_vendor_forward(void* handle, const VendorConvPlan& plan, const TuningEntry& chosen, const float* x,
                         const float* w, float* y, void* workspace);

}  // namespace hv
