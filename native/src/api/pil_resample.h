// pil_resample.h: the host half of hv_preprocess: Pillow 9.4's per-axis resize coefficients, computed as
// Resample.c (precompute_coeffs, normalize_coeffs_8bpc) and src/HipVision/Imaging/ResampleCoefficients.cs
// compute them, and the NEAREST source maps of PilNearest.cs. hv_preprocess uploads them for preprocess.hip.
#pragma once

#include <cstdint>
#include <vector>

#include "hipvision.h"

namespace hv {

// One axis mapping in_size source pixels onto out_size: output i reads first[i] .. first[i] + count[i] - 1
// with weights[i * stride + j] (fixed point, 22 fraction bits).
struct AxisCoefficients {
    int stride = 0;
    std::vector<int32_t> first, count, weights;
};

constexpr int kResamplePrecisionBits = 22;

// A convolution filter (every hv_resample except NEAREST) over the whole axis [0, in_size).
AxisCoefficients pil_axis_coefficients(int in_size, int out_size, hv_resample filter);

// NEAREST: the source index of each output pixel centre, -1 where it falls outside the source.
std::vector<int32_t> pil_nearest_map(int in_size, int out_size);

}  // namespace hv
