// activation.h: the epilogue activations of hv_activation (hipvision.h), one device function shared by
// the GEMM epilogue (gemm.hip) and the elementwise pass (bias_act.hip), so both compute the same thing.
//   GELU  x/2·(1 + erf(x/√2))  (exact, torch.nn.GELU() default, HF "gelu"; not the tanh approximation),
//         computed as x/2·erfc(−x/√2), which keeps its relative precision for x ≪ 0 where 1 + erf cancels
//   ReLU  max(x, 0);  ReLU6  min(max(x, 0), 6);  SiLU  x·sigmoid(x) = x / (1 + e^(−x))
#pragma once

#include "hipvision.h"
#include "../platform/hv_platform.h"

__device__ __forceinline__ float activate(float x, int activation) {
    switch (activation) {
        case HV_ACTIVATION_GELU: return 0.5f * x * erfcf(-x * 0.70710678118654752f);
        case HV_ACTIVATION_RELU: return fmaxf(x, 0.0f);
        case HV_ACTIVATION_RELU6: return fminf(fmaxf(x, 0.0f), 6.0f);
        case HV_ACTIVATION_SILU: return x / (1.0f + expf(-x));
        default: return x;
    }
}
