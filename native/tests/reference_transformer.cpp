// reference_transformer.cpp: see reference_transformer.h.
#include "reference_transformer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "check.h"
#include "hipvision.h"

namespace hvt {

double ref_activate(double x, int activation) {
    switch (activation) {
        case HV_ACTIVATION_GELU: return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
        case HV_ACTIVATION_RELU: return std::max(x, 0.0);
        case HV_ACTIVATION_RELU6: return std::min(std::max(x, 0.0), 6.0);
        case HV_ACTIVATION_SILU: return x / (1.0 + std::exp(-x));
        case HV_ACTIVATION_SIGMOID: return 1.0 / (1.0 + std::exp(-x));
        default: return x;
    }
}

std::vector<double> ref_gemm(const std::vector<float>& a, const std::vector<float>& b, const std::vector<float>& bias,
                             const std::vector<float>& c, const GemmShape& s, double alpha, double beta, int activation) {
    std::vector<double> out(c.begin(), c.end());
    for (size_t z = 0; z < s.batch; ++z)
        for (size_t i = 0; i < s.m; ++i)
            for (size_t j = 0; j < s.n; ++j) {
                double acc = 0;
                for (size_t p = 0; p < s.k; ++p) {
                    const double av = a[z * s.stride_a + (s.trans_a ? p * s.m + i : i * s.k + p)];
                    const double bv = b[z * s.stride_b + (s.trans_b ? j * s.k + p : p * s.n + j)];
                    acc += av * bv;
                }
                double& o = out[z * s.stride_c + i * s.n + j];
                double v = alpha * acc + (beta != 0.0 ? beta * o : 0.0) + (bias.empty() ? 0.0 : bias[j]);
                o = ref_activate(v, activation);
            }
    return out;
}

std::vector<double> ref_attention(const std::vector<float>& qkv, const std::vector<float>& bias, size_t batch,
                                  size_t tokens, size_t heads, size_t head_dim, double scale) {
    const size_t d_model = heads * head_dim, width = 3 * d_model;
    std::vector<double> out(batch * tokens * d_model), p(tokens);
    for (size_t b = 0; b < batch; ++b)
        for (size_t h = 0; h < heads; ++h)
            for (size_t i = 0; i < tokens; ++i) {
                const float* q = &qkv[(b * tokens + i) * width + h * head_dim];
                double m = -INFINITY;
                for (size_t j = 0; j < tokens; ++j) {
                    const float* k = &qkv[(b * tokens + j) * width + d_model + h * head_dim];
                    double s = 0;
                    for (size_t d = 0; d < head_dim; ++d) s += double(q[d]) * double(k[d]);
                    p[j] = s * scale + (bias.empty() ? 0.0 : bias[(h * tokens + i) * tokens + j]);
                    m = std::max(m, p[j]);
                }
                double sum = 0;
                for (size_t j = 0; j < tokens; ++j) sum += (p[j] = std::exp(p[j] - m));
                for (size_t d = 0; d < head_dim; ++d) {
                    double o = 0;
                    for (size_t j = 0; j < tokens; ++j)
                        o += p[j] * qkv[(b * tokens + j) * width + 2 * d_model + h * head_dim + d];
                    out[(b * tokens + i) * d_model + h * head_dim + d] = o / sum;
                }
            }
    return out;
}

std::vector<double> ref_patch_embed(const std::vector<float>& pixels, size_t batch, size_t channels, size_t height,
                                    size_t width, size_t patch) {
    const size_t gh = height / patch, gw = width / patch, k = channels * patch * patch;
    std::vector<double> out(batch * gh * gw * k);
    for (size_t b = 0; b < batch; ++b)
        for (size_t gy = 0; gy < gh; ++gy)
            for (size_t gx = 0; gx < gw; ++gx)
                for (size_t c = 0; c < channels; ++c)
                    for (size_t ky = 0; ky < patch; ++ky)
                        for (size_t kx = 0; kx < patch; ++kx)
                            out[((b * gh + gy) * gw + gx) * k + (c * patch + ky) * patch + kx] =
                                pixels[((b * channels + c) * height + gy * patch + ky) * width + gx * patch + kx];
    return out;
}

std::vector<double> ref_softmax(const std::vector<float>& x, size_t rows, size_t cols) {
    std::vector<double> y(rows * cols);
    for (size_t r = 0; r < rows; ++r) {
        double m = -INFINITY, s = 0;
        for (size_t c = 0; c < cols; ++c) m = std::max(m, double(x[r * cols + c]));
        for (size_t c = 0; c < cols; ++c) s += (y[r * cols + c] = std::exp(double(x[r * cols + c]) - m));
        for (size_t c = 0; c < cols; ++c) y[r * cols + c] /= s;
    }
    return y;
}

bool expect_relative(const std::string& what, const std::vector<float>& got, const std::vector<double>& want,
                     double bound) {
    if (got.size() != want.size()) {
        HV_CHECK(got.size() == want.size()) << what << ": got " << got.size() << " values, want " << want.size();
        return false;
    }
    double d2 = 0, w2 = 0;
    for (size_t i = 0; i < got.size(); ++i) {
        const double d = double(got[i]) - want[i];
        d2 += d * d;
        w2 += want[i] * want[i];
    }
    const double rel = w2 > 0 ? std::sqrt(d2 / w2) : std::sqrt(d2);
    std::printf("  %-58s |d|/|ref| %.2e\n", what.c_str(), rel);
    HV_CHECK(rel <= bound) << what << ": |got - want| / |want| = " << rel << " exceeds " << bound;
    return rel <= bound;
}

}  // namespace hvt
