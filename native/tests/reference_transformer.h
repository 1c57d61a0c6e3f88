// reference_transformer.h: float64 oracles of the transformer ops (hipvision.h), written like the
// formula, each naming the PyTorch/HF semantics it matches; plus the ‖Δ‖/‖want‖ check these tests report.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace hvt {

// hv_activation applied in float64: GELU exact erf, ReLU, ReLU6, SiLU, sigmoid.
double ref_activate(double x, int activation);

// C_z = act(alpha·op(A_z)·op(B_z) + beta·C_z + bias) over the batch, row-major (torch.baddbmm + act);
// `c` holds C's initial contents (read only when beta != 0) and its size is the result's size.
struct GemmShape {
    size_t batch, m, n, k, stride_a, stride_b, stride_c;
    bool trans_a, trans_b;
};
std::vector<double> ref_gemm(const std::vector<float>& a, const std::vector<float>& b, const std::vector<float>& bias,
                             const std::vector<float>& c, const GemmShape& s, double alpha, double beta, int activation);

// HF ViT/BEiT self-attention after the fused QKV projection, heads merged back: out [B, T, H·dh].
std::vector<double> ref_attention(const std::vector<float>& qkv, const std::vector<float>& bias, size_t batch,
                                  size_t tokens, size_t heads, size_t head_dim, double scale);

// Conv2d(kernel = stride = p) im2col: [B, C, H, W] -> [B, (H/p)(W/p), C·p·p], columns (c, ky, kx).
std::vector<double> ref_patch_embed(const std::vector<float>& pixels, size_t batch, size_t channels, size_t height,
                                    size_t width, size_t patch);

// torch.softmax(x, dim=-1).
std::vector<double> ref_softmax(const std::vector<float>& x, size_t rows, size_t cols);

// ‖got − want‖₂ / ‖want‖₂ ≤ bound; prints the measured ratio either way and fails a check above it.
bool expect_relative(const std::string& what, const std::vector<float>& got, const std::vector<double>& want,
                     double bound);

}  // namespace hvt
