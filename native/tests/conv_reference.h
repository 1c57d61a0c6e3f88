// conv_reference.h: float64 oracles of the convnet ops, written like their formulas (PyTorch semantics:
// Conv2d with explicit zero padding, groups = C for depthwise; x.mean((1, 2)); HF EfficientNet's
// squeeze-excite), and the comparison the convnet tests use.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "hipvision.h"

namespace hvt {

struct ConvCase {
    size_t batch, in_channels, height, width, out_channels, kernel_h, kernel_w, stride_h, stride_w;
    size_t top, bottom, left, right;
    size_t out_h() const { return (height + top + bottom - kernel_h) / stride_h + 1; }
    size_t out_w() const { return (width + left + right - kernel_w) / stride_w + 1; }
};

// TF "SAME" padding for one axis (EfficientNet): total = max((ceil(in/s) − 1)·s + k − in, 0), split
// total/2 before and the rest after.
void same_padding(size_t in, size_t kernel, size_t stride, size_t& before, size_t& after);

double ref_activation(double v, hv_activation a);

// x NHWC [B,H,W,C], weight [C,1,kh,kw], bias empty or [C] -> NHWC [B,OH,OW,C].
std::vector<double> ref_depthwise_conv2d(const std::vector<float>& x, const std::vector<float>& weight,
                                         const std::vector<float>& bias, const ConvCase& c, hv_activation a);

// x NCHW or NHWC, weight [Cout,Cin,kh,kw], bias empty or [Cout] -> NHWC [B,OH,OW,Cout].
std::vector<double> ref_conv2d(const std::vector<float>& x, bool x_nchw, const std::vector<float>& weight,
                               const std::vector<float>& bias, const ConvCase& c, hv_activation a);

// x NHWC [B, P, C] -> [B, C].
std::vector<double> ref_global_avg_pool(const std::vector<float>& x, size_t batch, size_t pixels, size_t channels);

// HF EfficientNetSqueezeExciteLayer on NHWC; empty biases mean 0.
std::vector<double> ref_squeeze_excite(const std::vector<float>& x, const std::vector<float>& w_reduce,
                                       const std::vector<float>& b_reduce, const std::vector<float>& w_expand,
                                       const std::vector<float>& b_expand, size_t batch, size_t pixels,
                                       size_t channels, size_t reduced, hv_activation a);

// STYLE.md's conv tolerance (|Δ| ≤ 1e-4 + 1e-3·|want|) and, as the task sets it, ‖got − want‖/‖want‖ ≤ 1e-5.
// Prints the relative norm so a run shows the margin.
bool expect_conv_close(const std::string& what, const std::vector<float>& got, const std::vector<double>& want);

}  // namespace hvt
