// conv_reference.cpp: see conv_reference.h.
#include "conv_reference.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "check.h"
#include "reference.h"
#include "reference_transformer.h"

namespace hvt {

void same_padding(size_t in, size_t kernel, size_t stride, size_t& before, size_t& after) {
    const size_t out = (in + stride - 1) / stride;
    const long total = std::max(long((out - 1) * stride + kernel) - long(in), 0L);
    before = size_t(total / 2);
    after = size_t(total) - before;
}

double ref_activation(double v, hv_activation a) { return ref_activate(v, a); }

std::vector<double> ref_depthwise_conv2d(const std::vector<float>& x, const std::vector<float>& weight,
                                         const std::vector<float>& bias, const ConvCase& c, hv_activation a) {
    const size_t C = c.in_channels, OH = c.out_h(), OW = c.out_w();
    std::vector<double> y(c.batch * OH * OW * C);
    for (size_t b = 0; b < c.batch; ++b)
        for (size_t oy = 0; oy < OH; ++oy)
            for (size_t ox = 0; ox < OW; ++ox)
                for (size_t ch = 0; ch < C; ++ch) {
                    double acc = bias.empty() ? 0.0 : bias[ch];
                    for (size_t ky = 0; ky < c.kernel_h; ++ky)
                        for (size_t kx = 0; kx < c.kernel_w; ++kx) {
                            const long iy = long(oy * c.stride_h + ky) - long(c.top);
                            const long ix = long(ox * c.stride_w + kx) - long(c.left);
                            if (iy < 0 || ix < 0 || iy >= long(c.height) || ix >= long(c.width)) continue;
                            acc += double(x[((b * c.height + size_t(iy)) * c.width + size_t(ix)) * C + ch]) *
                                   weight[(ch * c.kernel_h + ky) * c.kernel_w + kx];
                        }
                    y[((b * OH + oy) * OW + ox) * C + ch] = ref_activation(acc, a);
                }
    return y;
}

std::vector<double> ref_conv2d(const std::vector<float>& x, bool x_nchw, const std::vector<float>& weight,
                               const std::vector<float>& bias, const ConvCase& c, hv_activation a) {
    const size_t Ci = c.in_channels, Co = c.out_channels, H = c.height, W = c.width, OH = c.out_h(), OW = c.out_w();
    auto at = [&](size_t b, size_t ci, size_t iy, size_t ix) {
        return double(x_nchw ? x[((b * Ci + ci) * H + iy) * W + ix] : x[((b * H + iy) * W + ix) * Ci + ci]);
    };
    std::vector<double> y(c.batch * OH * OW * Co);
    for (size_t b = 0; b < c.batch; ++b)
        for (size_t oy = 0; oy < OH; ++oy)
            for (size_t ox = 0; ox < OW; ++ox)
                for (size_t co = 0; co < Co; ++co) {
                    double acc = bias.empty() ? 0.0 : bias[co];
                    for (size_t ci = 0; ci < Ci; ++ci)
                        for (size_t ky = 0; ky < c.kernel_h; ++ky)
                            for (size_t kx = 0; kx < c.kernel_w; ++kx) {
                                const long iy = long(oy * c.stride_h + ky) - long(c.top);
                                const long ix = long(ox * c.stride_w + kx) - long(c.left);
                                if (iy < 0 || ix < 0 || iy >= long(H) || ix >= long(W)) continue;
                                acc += at(b, ci, size_t(iy), size_t(ix)) *
                                       weight[((co * Ci + ci) * c.kernel_h + ky) * c.kernel_w + kx];
                            }
                    y[((b * OH + oy) * OW + ox) * Co + co] = ref_activation(acc, a);
                }
    return y;
}

std::vector<double> ref_global_avg_pool(const std::vector<float>& x, size_t batch, size_t pixels, size_t channels) {
    std::vector<double> y(batch * channels, 0.0);
    for (size_t b = 0; b < batch; ++b)
        for (size_t p = 0; p < pixels; ++p)
            for (size_t ch = 0; ch < channels; ++ch) y[b * channels + ch] += x[(b * pixels + p) * channels + ch];
    for (double& v : y) v /= double(pixels);
    return y;
}

std::vector<double> ref_squeeze_excite(const std::vector<float>& x, const std::vector<float>& w_reduce,
                                       const std::vector<float>& b_reduce, const std::vector<float>& w_expand,
                                       const std::vector<float>& b_expand, size_t batch, size_t pixels,
                                       size_t channels, size_t reduced, hv_activation a) {
    const std::vector<double> s = ref_global_avg_pool(x, batch, pixels, channels);
    std::vector<double> y(x.size());
    for (size_t b = 0; b < batch; ++b) {
        std::vector<double> r(reduced), e(channels);
        for (size_t j = 0; j < reduced; ++j) {
            double acc = b_reduce.empty() ? 0.0 : b_reduce[j];
            for (size_t ch = 0; ch < channels; ++ch) acc += double(w_reduce[j * channels + ch]) * s[b * channels + ch];
            r[j] = ref_activation(acc, a);
        }
        for (size_t ch = 0; ch < channels; ++ch) {
            double acc = b_expand.empty() ? 0.0 : b_expand[ch];
            for (size_t j = 0; j < reduced; ++j) acc += double(w_expand[ch * reduced + j]) * r[j];
            e[ch] = 1.0 / (1.0 + std::exp(-acc));
        }
        for (size_t p = 0; p < pixels; ++p)
            for (size_t ch = 0; ch < channels; ++ch) {
                const size_t i = (b * pixels + p) * channels + ch;
                y[i] = double(x[i]) * e[ch];
            }
    }
    return y;
}

bool expect_conv_close(const std::string& what, const std::vector<float>& got, const std::vector<double>& want) {
    const bool elementwise = expect_close(what, got, want, 1e-4, 1e-3);
    if (got.size() != want.size()) return false;
    double d2 = 0, w2 = 0;
    for (size_t i = 0; i < got.size(); ++i) {
        d2 += (double(got[i]) - want[i]) * (double(got[i]) - want[i]);
        w2 += want[i] * want[i];
    }
    const double rel = std::sqrt(d2 / std::max(w2, 1e-300));
    std::printf("  %s: |d|/|want| %.3g\n", what.c_str(), rel);
    HV_CHECK(rel <= 1e-5) << what << ": |d|/|want| " << rel << " > 1e-5";
    return elementwise && rel <= 1e-5;
}

}  // namespace hvt
