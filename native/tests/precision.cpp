// precision.cpp: see precision.h.
#include "precision.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "check.h"

namespace hvt {

namespace {

struct Format {
    int fraction_bits, exponent_bits;
};

Format format_of(hv_dtype dtype) { return dtype == HV_DTYPE_FLOAT16 ? Format{10, 5} : Format{7, 8}; }

}  // namespace

const char* dtype_label(hv_dtype dtype) {
    switch (dtype) {
    case HV_DTYPE_FLOAT16: return "float16";
    case HV_DTYPE_BFLOAT16: return "bfloat16";
    default: return "float32";
    }
}

double unit_roundoff(hv_dtype dtype) {
    return dtype == HV_DTYPE_FLOAT16 ? std::ldexp(1.0, -11) : dtype == HV_DTYPE_BFLOAT16 ? std::ldexp(1.0, -8)
                                                                                         : std::ldexp(1.0, -24);
}

double norm_bound(hv_dtype dtype) { return dtype == HV_DTYPE_FLOAT16 ? 2e-3 : dtype == HV_DTYPE_BFLOAT16 ? 1.6e-2 : 1e-5; }

uint16_t ref_encode(hv_dtype dtype, float v) {
    const Format f = format_of(dtype);
    const uint32_t x = bits_of(v);
    const uint16_t sign = std::signbit(v) ? uint16_t(1u << 15) : uint16_t(0);
    const uint16_t inf = uint16_t(((1u << f.exponent_bits) - 1) << f.fraction_bits);
    if (std::isnan(v)) {  // quiet, the top fraction bits kept (System.Half's rule; bf16: the top 16 bits)
        const uint32_t fraction = x & 0x7fffffu;
        const uint16_t quiet = uint16_t(1u << (f.fraction_bits - 1));
        return uint16_t(sign | inf | quiet | (fraction >> (23 - f.fraction_bits)));
    }
    const double a = std::fabs(double(v));
    if (std::isinf(a)) return uint16_t(sign | inf);
    if (a == 0) return sign;
    const int bias = (1 << (f.exponent_bits - 1)) - 1, emin = 1 - bias;
    int e2 = 0;
    std::frexp(a, &e2);  // a = m·2^e2, m in [0.5, 1): the exponent of a is e2 − 1
    const int e = std::max(e2 - 1, emin);
    const double quantum = std::ldexp(1.0, e - f.fraction_bits);
    const double n = std::nearbyint(a / quantum);  // ties to even (the default rounding mode)
    const double r = n * quantum;
    if (r >= std::ldexp(1.0, bias + 1)) return uint16_t(sign | inf);
    if (r < std::ldexp(1.0, emin)) return uint16_t(sign | uint16_t(n));  // subnormal: n units of the quantum
    std::frexp(r, &e2);
    const int er = e2 - 1;
    const double fraction = r / std::ldexp(1.0, er - f.fraction_bits) - std::ldexp(1.0, f.fraction_bits);
    return uint16_t(sign | uint16_t((er + bias) << f.fraction_bits) | uint16_t(fraction));
}

float ref_decode(hv_dtype dtype, uint16_t bits) {
    const Format f = format_of(dtype);
    const bool negative = bits >> 15;
    const int exponent = (bits >> f.fraction_bits) & ((1 << f.exponent_bits) - 1);
    const uint32_t fraction = bits & ((1u << f.fraction_bits) - 1);
    const int bias = (1 << (f.exponent_bits - 1)) - 1;
    if (exponent == (1 << f.exponent_bits) - 1) {
        if (fraction == 0) return negative ? -INFINITY : INFINITY;
        // NaN: quiet, fraction moved to the top of float's (System.Half's rule; bf16 is exact).
        const uint32_t quiet = dtype == HV_DTYPE_FLOAT16 ? 0x400000u : 0;
        return float_of((negative ? 0x80000000u : 0) | 0x7f800000u | quiet | fraction << (23 - f.fraction_bits));
    }
    const double magnitude = exponent == 0
                                 ? std::ldexp(double(fraction), 1 - bias - f.fraction_bits)
                                 : std::ldexp(double(fraction + (1u << f.fraction_bits)), exponent - bias - f.fraction_bits);
    return float(negative ? -magnitude : magnitude);
}

std::vector<float> rounded(hv_dtype dtype, std::vector<float> v) {
    if (dtype != HV_DTYPE_FLOAT32)
        for (float& e : v) e = ref_decode(dtype, ref_encode(dtype, e));
    return v;
}

TypedBuffer::TypedBuffer(const Context& c, hv_dtype dtype, size_t count) : dtype_(dtype) {
    HV_EXPECT_OK(hv_buffer_alloc(c.get(), count * (dtype == HV_DTYPE_FLOAT32 ? 4 : 2), &buf_));
    HV_EXPECT_OK(hv_buffer_set_dtype(buf_, dtype));
}

TypedBuffer::TypedBuffer(const Context& c, hv_dtype dtype, const std::vector<float>& values)
    : TypedBuffer(c, dtype, values.size()) {
    upload(values);
}

void TypedBuffer::upload(const std::vector<float>& values) {
    if (dtype_ == HV_DTYPE_FLOAT32) {
        HV_EXPECT_OK(hv_buffer_upload(buf_, 0, values.data(), values.size() * 4));
        return;
    }
    std::vector<uint16_t> bits(values.size());
    for (size_t i = 0; i < values.size(); ++i) bits[i] = ref_encode(dtype_, values[i]);
    HV_EXPECT_OK(hv_buffer_upload(buf_, 0, bits.data(), bits.size() * 2));
}

std::vector<uint16_t> TypedBuffer::download_bits(size_t count) const {
    std::vector<uint16_t> bits(count);
    HV_EXPECT_OK(hv_buffer_download(buf_, 0, bits.data(), count * 2));
    return bits;
}

std::vector<float> TypedBuffer::download(size_t count) const {
    std::vector<float> v(count);
    if (dtype_ == HV_DTYPE_FLOAT32) {
        HV_EXPECT_OK(hv_buffer_download(buf_, 0, v.data(), count * 4));
        return v;
    }
    const std::vector<uint16_t> bits = download_bits(count);
    for (size_t i = 0; i < count; ++i) v[i] = ref_decode(dtype_, bits[i]);
    return v;
}

bool expect_rounded(const std::string& what, hv_dtype dtype, const std::vector<float>& got,
                    const std::vector<double>& want, double bound) {
    if (got.size() != want.size()) {
        HV_CHECK(got.size() == want.size()) << what << ": got " << got.size() << " values, want " << want.size();
        return false;
    }
    const double u = unit_roundoff(dtype);
    double max_want = 0;
    for (double w : want) max_want = std::max(max_want, std::fabs(w));
    if (got.empty()) return true;
    double d2 = 0, w2 = 0, worst = 0;
    size_t bad = 0, first_bad = 0;
    for (size_t i = 0; i < got.size(); ++i) {
        const double d = std::fabs(double(got[i]) - want[i]);
        d2 += d * d;
        w2 += want[i] * want[i];
        if (std::fabs(want[i]) >= 1e-3 * max_want && want[i] != 0)  // relative error where it means something
            worst = std::max(worst, std::isnan(d) ? INFINITY : d / (u * std::fabs(want[i])));
        if (!(d <= 1.01 * u * std::fabs(want[i]) + 1e-5 * max_want) && bad++ == 0) first_bad = i;
    }
    const double rel = w2 > 0 ? std::sqrt(d2 / w2) : std::sqrt(d2);
    std::printf("  precision %-62s |d|/|ref| %.2e  max |d|/(u|ref|) %.2f\n", (what + " " + dtype_label(dtype)).c_str(),
                rel, worst);
    HV_CHECK(rel <= bound) << what << " " << dtype_label(dtype) << ": |got - want| / |want| = " << rel << " exceeds "
                           << bound;
    HV_CHECK(bad == 0) << what << " " << dtype_label(dtype) << ": " << bad << " of " << got.size()
                       << " elements beyond 1.01u|want| + 1e-5 max|want|, first [" << first_bad << "] "
                       << got[first_bad] << " vs " << want[first_bad];
    return rel <= bound && bad == 0;
}

}  // namespace hvt
