// storage.h: the element types a buffer can hold (hv_dtype) and the one conversion each way between a
// stored element and the float32 every kernel computes in:
//   load(x)     widens a stored element to float (exact for all three types);
//   store<T>(v) rounds a float to T once, to nearest with ties to even (IEEE 754 roundTiesToEven).
// float16 (IEEE binary16: 1 sign, 5 exponent, 10 fraction bits) and bfloat16 (float32's top 16 bits: 8
// exponent, 7 fraction bits) are 16-bit wrappers converted with explicit bit arithmetic on every platform
// (AMD, NVIDIA, emulator) instead of __half / hip_bfloat16 / __nv_bfloat16: the vendor types round the
// same way for finite values but differ in NaN payloads and in what exists on which architecture, and
// the C# host (System.Half, its bfloat16 helper) must agree with the device bit for bit. The rules,
// which are .NET's:
//   float -> float16: RNE; |v| >= 65520 (halfway above the largest finite, 65504) gives +-inf; values
//     below 2^-14 become subnormals (RNE on the 2^-24 grid; 2^-25 and less round to +-0); NaN gives
//     sign | 0x7E00 | fraction >> 13 (quiet, top fraction bits kept).
//   float16 -> float: exact; NaN gives sign | 0x7FC00000 | fraction << 13.
//   float -> bfloat16: RNE on the top 16 bits (overflow rounds to +-inf); NaN gives the top 16 bits with
//     the quiet bit (0x0040) set.
//   bfloat16 -> float: bits << 16 (exact).
// Tests: native/tests/test_precision.cpp checks hv_cast against an independent float64 rounding.
#pragma once

#include <cstddef>
#include <cstdint>

#include "hipvision.h"
#include "../platform/hv_platform.h"

namespace hv {

struct Half {
    uint16_t bits;
};
struct BFloat16 {
    uint16_t bits;
};

__host__ __device__ __forceinline__ uint32_t float_bits(float v) {
#if defined(__CUDA_ARCH__)
    return __float_as_uint(v);
#else
    uint32_t u;
    __builtin_memcpy(&u, &v, sizeof u);
    return u;
#endif
}

__host__ __device__ __forceinline__ float bits_float(uint32_t u) {
#if defined(__CUDA_ARCH__)
    return __uint_as_float(u);
#else
    float v;
    __builtin_memcpy(&v, &u, sizeof v);
    return v;
#endif
}

// Rounds `value` right by `shift` bits (1..31), ties to even.
__host__ __device__ __forceinline__ uint32_t shift_rne(uint32_t value, int shift) {
    const uint32_t kept = value >> shift, rest = value & ((1u << shift) - 1u), half = 1u << (shift - 1);
    return kept + (rest > half || (rest == half && (kept & 1u)) ? 1u : 0u);
}

__host__ __device__ __forceinline__ float load(float v) { return v; }

__host__ __device__ __forceinline__ float load(Half h) {
    const uint32_t sign = uint32_t(h.bits & 0x8000u) << 16;
    const uint32_t exponent = (h.bits >> 10) & 0x1fu, fraction = h.bits & 0x3ffu;
    if (exponent == 0x1f) return bits_float(sign | (fraction ? 0x7fc00000u : 0x7f800000u) | fraction << 13);
    if (exponent == 0) {  // zero or subnormal: fraction·2^-24, a normal float (exact)
        const float magnitude = float(fraction) * 5.9604644775390625e-8f;
        return bits_float(sign | float_bits(magnitude));
    }
    return bits_float(sign | (exponent + 112u) << 23 | fraction << 13);
}

__host__ __device__ __forceinline__ float load(BFloat16 b) { return bits_float(uint32_t(b.bits) << 16); }

template <class T>
__host__ __device__ __forceinline__ T store(float v);

template <>
__host__ __device__ __forceinline__ float store<float>(float v) {
    return v;
}

template <>
__host__ __device__ __forceinline__ Half store<Half>(float v) {
    const uint32_t x = float_bits(v);
    const uint16_t sign = uint16_t((x >> 16) & 0x8000u);
    const uint32_t exponent = (x >> 23) & 0xffu, fraction = x & 0x7fffffu;
    if (exponent == 0xff) return Half{uint16_t(sign | (fraction ? 0x7e00u | fraction >> 13 : 0x7c00u))};
    if (exponent > 142) return Half{uint16_t(sign | 0x7c00u)};  // >= 2^16
    if (exponent >= 113) {  // a normal half; a carry out of the fraction bumps the exponent (up to inf)
        const uint32_t magnitude = (exponent - 112u) << 10 | fraction >> 13;
        const uint32_t rest = fraction & 0x1fffu;
        return Half{uint16_t(sign | (magnitude + (rest > 0x1000u || (rest == 0x1000u && (magnitude & 1u)) ? 1u : 0u)))};
    }
    if (exponent < 102) return Half{sign};  // below 2^-25 (float subnormals included): +-0
    // A half subnormal counts units of 2^-24: (1.fraction · 2^(exponent-127)) / 2^-24 = significand >> (126 - exponent);
    // rounding up from 0x3ff gives 0x400, the smallest normal, which is the right encoding.
    return Half{uint16_t(sign | shift_rne(fraction | 0x800000u, int(126 - exponent)))};
}

template <>
__host__ __device__ __forceinline__ BFloat16 store<BFloat16>(float v) {
    const uint32_t x = float_bits(v);
    if ((x & 0x7fffffffu) > 0x7f800000u) return BFloat16{uint16_t((x >> 16) | 0x0040u)};
    return BFloat16{uint16_t(shift_rne(x, 16))};
}

// Bytes of one element.
inline size_t dtype_size(hv_dtype dtype) { return dtype == HV_DTYPE_FLOAT32 ? 4 : 2; }

// f(Storage<T>{}) for the storage type T of `dtype` (float, Half, BFloat16): the one switch from a
// run-time hv_dtype to a kernel template. Callers have validated dtype.
template <class T>
struct Storage {
    using type = T;
};

template <class F>
auto with_storage(hv_dtype dtype, F&& f) {
    switch (dtype) {
    case HV_DTYPE_FLOAT16: return f(Storage<Half>{});
    case HV_DTYPE_BFLOAT16: return f(Storage<BFloat16>{});
    default: return f(Storage<float>{});
    }
}

}  // namespace hv
