// pil_reference.h: a C++ port of src/HipVision/Imaging/PilResize.cs (Pillow 9.4's Image.resize on RGB,
// bit for bit: NEAREST's affine sampling, the other filters' separable 8-bit fixed-point passes) and of
// ImageProcessor's crop / table / CHW steps, the oracle of hv_preprocess. Written from the C# code, not
// from native/src/api/pil_resample.cpp, so the two can disagree.
#pragma once

#include <cstdint>
#include <vector>

#include "hipvision.h"

namespace hvt {

struct RgbImage {
    int width = 0, height = 0;
    std::vector<uint8_t> pixels;  // [height, width, 3]
};

RgbImage pil_resize(const RgbImage& image, int width, int height, hv_resample mode);

// The float image hv_preprocess writes for one slot: crop window (top, left, out_h, out_w) of `resized`
// (0 bytes outside it), table[c * 256 + byte], NCHW [3, out_h, out_w] or NHWC [out_h, out_w, 3].
std::vector<float> crop_and_map(const RgbImage& resized, const std::vector<float>& table, int top, int left,
                                int out_h, int out_w, bool nchw);

// HF's rescale (factor in double, then float) and normalize in float, per channel, for every byte:
// HipVision.Imaging.ImageProcessor.ChannelLookup with do_rescale and do_normalize.
std::vector<float> hf_value_table(double rescale_factor, const float mean[3], const float std[3]);

}  // namespace hvt
