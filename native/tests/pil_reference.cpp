// pil_reference.cpp: see pil_reference.h. Structure and names follow PilResize.cs, ResampleCoefficients.cs,
// PilFilter.cs and PilNearest.cs.
#include "pil_reference.h"

#include <cmath>

namespace hvt {
namespace {

constexpr double kPi = 3.14159265358979323846;  // M_PI, which Resample.c uses

constexpr int kPrecisionBits = 32 - 8 - 2;

double support_of(hv_resample m) {
    switch (m) {
    case HV_RESAMPLE_BOX: return 0.5;
    case HV_RESAMPLE_BILINEAR: case HV_RESAMPLE_HAMMING: return 1.0;
    case HV_RESAMPLE_BICUBIC: return 2.0;
    default: return 3.0;  // LANCZOS
    }
}

double sinc(double x) {
    if (x == 0.0) return 1.0;
    x *= kPi;
    return std::sin(x) / x;
}

double evaluate(hv_resample m, double x) {
    switch (m) {
    case HV_RESAMPLE_BOX: return x > -0.5 && x <= 0.5 ? 1.0 : 0.0;
    case HV_RESAMPLE_BILINEAR: x = std::fabs(x); return x < 1.0 ? 1.0 - x : 0.0;
    case HV_RESAMPLE_HAMMING:
        x = std::fabs(x);
        if (x == 0.0) return 1.0;
        if (x >= 1.0) return 0.0;
        x *= kPi;
        return std::sin(x) / x * (0.54f + 0.46f * std::cos(x));
    case HV_RESAMPLE_BICUBIC: {
        const double a = -0.5;
        x = std::fabs(x);
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }
    default: return -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0;
    }
}

struct Coefficients {
    int out_size, stride;
    std::vector<int> first, count, weights;
};

Coefficients compute(int in_size, float in0, float in1, int out_size, hv_resample mode) {
    const double scale = double(in1 - in0) / out_size;
    const double filter_scale = scale < 1.0 ? 1.0 : scale;
    const double support = support_of(mode) * filter_scale;
    Coefficients c{out_size, int(std::ceil(support)) * 2 + 1, {}, {}, {}};
    c.first.resize(out_size);
    c.count.resize(out_size);
    c.weights.assign(size_t(out_size) * c.stride, 0);
    std::vector<double> w(c.stride);
    const double inv_scale = 1.0 / filter_scale;
    for (int i = 0; i < out_size; ++i) {
        const double centre = in0 + (i + 0.5) * scale;
        int lo = int(centre - support + 0.5);
        if (lo < 0) lo = 0;
        int hi = int(centre + support + 0.5);
        if (hi > in_size) hi = in_size;
        const int n = hi - lo;
        double sum = 0.0;
        for (int j = 0; j < n; ++j) sum += w[j] = evaluate(mode, (j + lo - centre + 0.5) * inv_scale);
        for (int j = 0; j < n; ++j) {
            const double k = sum != 0.0 ? w[j] / sum : w[j];
            c.weights[size_t(i) * c.stride + j] =
                k < 0 ? int(-0.5 + k * (1 << kPrecisionBits)) : int(0.5 + k * (1 << kPrecisionBits));
        }
        c.first[i] = lo;
        c.count[i] = n;
    }
    return c;
}

uint8_t clip8(int acc) {
    const int v = acc >> kPrecisionBits;
    return uint8_t(v < 0 ? 0 : v > 255 ? 255 : v);
}

std::vector<uint8_t> horizontal_pass(const std::vector<uint8_t>& src, int src_width, int first_row, int rows,
                                     const Coefficients& c) {
    std::vector<uint8_t> dst(size_t(rows) * c.out_size * 3);
    for (int y = 0; y < rows; ++y)
        for (int x = 0; x < c.out_size; ++x) {
            int acc[3] = {1 << (kPrecisionBits - 1), 1 << (kPrecisionBits - 1), 1 << (kPrecisionBits - 1)};
            const size_t s = (size_t(y + first_row) * src_width + c.first[x]) * 3;
            for (int j = 0; j < c.count[x]; ++j)
                for (int ch = 0; ch < 3; ++ch) acc[ch] += src[s + size_t(j) * 3 + ch] * c.weights[size_t(x) * c.stride + j];
            for (int ch = 0; ch < 3; ++ch) dst[(size_t(y) * c.out_size + x) * 3 + ch] = clip8(acc[ch]);
        }
    return dst;
}

std::vector<uint8_t> vertical_pass(const std::vector<uint8_t>& src, int width, int row_shift, const Coefficients& c) {
    const size_t row_bytes = size_t(width) * 3;
    std::vector<uint8_t> dst(c.out_size * row_bytes);
    for (int y = 0; y < c.out_size; ++y)
        for (size_t i = 0; i < row_bytes; ++i) {
            int acc = 1 << (kPrecisionBits - 1);
            for (int j = 0; j < c.count[y]; ++j)
                acc += src[size_t(c.first[y] - row_shift + j) * row_bytes + i] * c.weights[size_t(y) * c.stride + j];
            dst[y * row_bytes + i] = clip8(acc);
        }
    return dst;
}

int nearest_coord(double v) { return v < 0.0 ? -1 : int(v); }

RgbImage nearest(const RgbImage& image, int width, int height) {
    const double ax = double(float(image.width)) / width, ay = double(float(image.height)) / height;
    RgbImage out{width, height, std::vector<uint8_t>(size_t(width) * height * 3, 0)};
    double yo = ay * 0.5;
    for (int y = 0; y < height; ++y, yo += ay) {
        const int yin = nearest_coord(yo);
        if (yin < 0 || yin >= image.height) continue;
        double xo = ax * 0.5;
        for (int x = 0; x < width; ++x, xo += ax) {
            const int xin = nearest_coord(xo);
            if (xin < 0 || xin >= image.width) continue;
            for (int ch = 0; ch < 3; ++ch)
                out.pixels[(size_t(y) * width + x) * 3 + ch] = image.pixels[(size_t(yin) * image.width + xin) * 3 + ch];
        }
    }
    return out;
}

}  // namespace

RgbImage pil_resize(const RgbImage& image, int width, int height, hv_resample mode) {
    if (width == image.width && height == image.height) return image;
    if (mode == HV_RESAMPLE_NEAREST) return nearest(image, width, height);
    const Coefficients horizontal = compute(image.width, 0.0f, float(image.width), width, mode);
    const Coefficients vertical = compute(image.height, 0.0f, float(image.height), height, mode);
    const bool need_h = width != image.width, need_v = height != image.height;
    std::vector<uint8_t> pixels = image.pixels;
    int row_shift = 0;
    if (need_h) {
        int first_row = 0, end_row = image.height;
        if (need_v) {
            first_row = vertical.first[0];
            end_row = vertical.first[height - 1] + vertical.count[height - 1];
        }
        pixels = horizontal_pass(image.pixels, image.width, first_row, end_row - first_row, horizontal);
        row_shift = first_row;
    }
    if (need_v) pixels = vertical_pass(pixels, width, row_shift, vertical);
    return RgbImage{width, height, pixels};
}

std::vector<float> crop_and_map(const RgbImage& resized, const std::vector<float>& table, int top, int left,
                                int out_h, int out_w, bool nchw) {
    std::vector<float> out(size_t(3) * out_h * out_w);
    for (int y = 0; y < out_h; ++y)
        for (int x = 0; x < out_w; ++x)
            for (int ch = 0; ch < 3; ++ch) {
                const int sy = y + top, sx = x + left;
                const bool inside = sy >= 0 && sy < resized.height && sx >= 0 && sx < resized.width;
                const uint8_t v = inside ? resized.pixels[(size_t(sy) * resized.width + sx) * 3 + ch] : 0;
                const size_t o = nchw ? (size_t(ch) * out_h + y) * out_w + x : (size_t(y) * out_w + x) * 3 + ch;
                out[o] = table[size_t(ch) * 256 + v];
            }
    return out;
}

std::vector<float> hf_value_table(double rescale_factor, const float mean[3], const float std[3]) {
    std::vector<float> t(768);
    for (int c = 0; c < 3; ++c)
        for (int v = 0; v < 256; ++v) {
            float x = float(v * rescale_factor);
            x = (x - mean[c]) / std[c];
            t[size_t(c) * 256 + v] = x;
        }
    return t;
}

}  // namespace hvt
