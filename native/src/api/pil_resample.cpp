// pil_resample.cpp: see pil_resample.h. Every expression keeps Pillow's operand order and float -> double
// promotions: a weight that differs in its last bit can flip a fixed-point coefficient and an output byte.
#include "pil_resample.h"

#include <cmath>

namespace hv {
namespace {

constexpr double kPi = 3.14159265358979323846;  // M_PI, which Resample.c uses

double filter_support(hv_resample f) {
    switch (f) {
    case HV_RESAMPLE_BOX: return 0.5;
    case HV_RESAMPLE_BILINEAR: return 1.0;
    case HV_RESAMPLE_HAMMING: return 1.0;
    case HV_RESAMPLE_BICUBIC: return 2.0;
    case HV_RESAMPLE_LANCZOS: return 3.0;
    default: return 0.0;
    }
}

double sinc(double x) {
    if (x == 0.0) return 1.0;
    x *= kPi;
    return std::sin(x) / x;
}

double filter_value(hv_resample f, double x) {
    switch (f) {
    case HV_RESAMPLE_BOX: return x > -0.5 && x <= 0.5 ? 1.0 : 0.0;
    case HV_RESAMPLE_BILINEAR:
        x = std::fabs(x);
        return x < 1.0 ? 1.0 - x : 0.0;
    case HV_RESAMPLE_HAMMING:
        x = std::fabs(x);
        if (x == 0.0) return 1.0;
        if (x >= 1.0) return 0.0;
        x *= kPi;
        return std::sin(x) / x * (0.54f + 0.46f * std::cos(x));  // Pillow's float literals
    case HV_RESAMPLE_BICUBIC: {
        const double a = -0.5;
        x = std::fabs(x);
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }
    case HV_RESAMPLE_LANCZOS: return -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0;
    default: return 0.0;
    }
}

}  // namespace

AxisCoefficients pil_axis_coefficients(int in_size, int out_size, hv_resample filter) {
    // The box is float[4] in Pillow: (in1 - in0) is a float subtraction, then widened.
    const float in0 = 0.0f, in1 = float(in_size);
    const double scale = double(in1 - in0) / out_size;
    const double filter_scale = scale < 1.0 ? 1.0 : scale;
    const double support = filter_support(filter) * filter_scale;
    AxisCoefficients a;
    a.stride = int(std::ceil(support)) * 2 + 1;
    a.first.resize(out_size);
    a.count.resize(out_size);
    a.weights.assign(size_t(out_size) * a.stride, 0);
    std::vector<double> w(a.stride);
    const double inv_scale = 1.0 / filter_scale;
    for (int i = 0; i < out_size; ++i) {
        const double centre = in0 + (i + 0.5) * scale;
        int lo = int(centre - support + 0.5);
        if (lo < 0) lo = 0;
        int hi = int(centre + support + 0.5);
        if (hi > in_size) hi = in_size;
        const int n = hi - lo;
        double sum = 0.0;
        for (int j = 0; j < n; ++j) {
            w[j] = filter_value(filter, (j + lo - centre + 0.5) * inv_scale);
            sum += w[j];
        }
        for (int j = 0; j < n; ++j) {
            const double k = sum != 0.0 ? w[j] / sum : w[j];
            a.weights[size_t(i) * a.stride + j] = k < 0 ? int32_t(-0.5 + k * (1 << kResamplePrecisionBits))
                                                        : int32_t(0.5 + k * (1 << kResamplePrecisionBits));
        }
        a.first[i] = lo;
        a.count[i] = n;
    }
    return a;
}

std::vector<int32_t> pil_nearest_map(int in_size, int out_size) {
    // A running double sum from a/2, as ImagingScaleAffine walks the affine map (not i * a).
    const double step = double(float(in_size)) / out_size;
    std::vector<int32_t> map(out_size);
    double pos = step * 0.5;
    for (int i = 0; i < out_size; ++i, pos += step) {
        const int v = pos < 0.0 ? -1 : int(pos);
        map[i] = v < in_size ? v : -1;
    }
    return map;
}

}  // namespace hv
