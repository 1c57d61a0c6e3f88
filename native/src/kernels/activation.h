// activation.h: hv_activation (hipvision.h) as one device function, shared by every kernel that applies one
// (the GEMM epilogue, bias_act.hip for vendor GEMMs and hv_activate, the convolutions, batch_norm.hip,
// squeeze_excite.hip), so all compute the same thing. In float, whatever the storage type.
//   GELU  x/2·(1 + erf(x/√2))  (exact, torch.nn.GELU() default, HF "gelu"; not the tanh approximation),
//         computed as x/2·erfc(−x/√2), which keeps its relative precision for x ≪ 0 where 1 + erf cancels
//   ReLU  max(x, 0);  ReLU6  min(max(x, 0), 6);  SiLU  x·sigmoid(x) = x / (1 + e^(−x))
//   Sigmoid  1 / (1 + e^(−x)), which stays finite for large |x| (e^(−x) -> inf gives 0)
#pragma once

#include "hipvision.h"
#include "../platform/hv_platform.h"

__device__ __forceinline__ float sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }

__device__ __forceinline__ float activate(float x, int activation) {
    switch (activation) {
        case HV_ACTIVATION_GELU: return 0.5f * x * erfcf(-x * 0.70710678118654752f);
        case HV_ACTIVATION_RELU: return fmaxf(x, 0.0f);
        case HV_ACTIVATION_RELU6: return fminf(fmaxf(x, 0.0f), 6.0f);
        case HV_ACTIVATION_SILU: return x / (1.0f + expf(-x));
        case HV_ACTIVATION_SIGMOID: return sigmoid(x);
        default: return x;
    }
}
