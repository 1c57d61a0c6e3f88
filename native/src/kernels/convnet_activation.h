// convnet_activation.h: the fused activations of the convnet kernels (hv_activation's values), applied
// in float after bias. SiLU as x / (1 + e^-x), which stays finite for large |x| (e^-x -> inf gives 0).
#pragma once

#include "../platform/hv_platform.h"

// hv_activation's numbering (include/hipvision.h), repeated so kernels need not include the C ABI.
enum ConvActivation : int { kActNone = 0, kActGelu = 1, kActRelu = 2, kActRelu6 = 3, kActSilu = 4 };

__device__ __forceinline__ float apply_activation(float v, int activation) {
    switch (activation) {
    case kActGelu: return 0.5f * v * (1.0f + erff(v * 0.70710678118654752f));
    case kActRelu: return fmaxf(v, 0.0f);
    case kActRelu6: return fminf(fmaxf(v, 0.0f), 6.0f);
    case kActSilu: return v / (1.0f + expf(-v));
    default: return v;
    }
}

__device__ __forceinline__ float sigmoid(float v) { return 1.0f / (1.0f + expf(-v)); }
