// precision.h: what the fp16/bf16 tests share: an independent float64 model of the storage conversions
// (round to nearest even by scaling and std::nearbyint, not by bit tricks: it checks storage.h rather than
// repeating it), typed device buffers, and the tolerance check of a kernel's rounded output.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "device.h"
#include "hipvision.h"

namespace hvt {

// A float's IEEE bits and back.
inline uint32_t bits_of(float v) {
    uint32_t u;
    std::memcpy(&u, &v, 4);
    return u;
}
inline float float_of(uint32_t u) {
    float v;
    std::memcpy(&v, &u, 4);
    return v;
}

// "float32", "float16", "bfloat16".
const char* dtype_label(hv_dtype dtype);
// The fp16 and bf16 types the kernels are tested at.
inline std::vector<hv_dtype> half_dtypes() { return {HV_DTYPE_FLOAT16, HV_DTYPE_BFLOAT16}; }
// Unit roundoff: 2^-11 (fp16), 2^-8 (bf16), 2^-24 (fp32).
double unit_roundoff(hv_dtype dtype);

// v rounded to a 16-bit dtype, as its bits (the rules in native/src/kernels/storage.h, NaN included), and
// back. Computed in float64 from the value, independently of the library.
uint16_t ref_encode(hv_dtype dtype, float v);
float ref_decode(hv_dtype dtype, uint16_t bits);
// Every value rounded to dtype (identity for float32): the inputs the tests feed in and the reference sees.
std::vector<float> rounded(hv_dtype dtype, std::vector<float> v);

// A device buffer of `count` elements of `dtype` (hv_buffer_set_dtype), filled with `values` rounded to it.
class TypedBuffer {
public:
    TypedBuffer(const Context& c, hv_dtype dtype, size_t count);
    TypedBuffer(const Context& c, hv_dtype dtype, const std::vector<float>& values);
    ~TypedBuffer() { hv_buffer_free(buf_); }
    TypedBuffer(const TypedBuffer&) = delete;
    TypedBuffer& operator=(const TypedBuffer&) = delete;
    hv_buffer* get() const { return buf_; }
    void upload(const std::vector<float>& values);
    std::vector<float> download(size_t count) const;           // widened to float
    std::vector<uint16_t> download_bits(size_t count) const;   // 16-bit types only

private:
    hv_buffer* buf_ = nullptr;
    hv_dtype dtype_;
};

// A kernel's output stored in dtype against the float64 reference computed from the rounded inputs. The
// kernels compute in float and round once, so per element |Δ| ≤ 1.01·u·|want| + 1e-5·max|want| (one
// rounding, plus float32 noise, which can also tip a rounding), and ‖Δ‖/‖want‖ ≤ `bound`. Prints
// "precision <what>: |d|/|ref| R, max |d|/(u|ref|) E" (E over |want| ≥ 1e-3·max|want|) for the report.
bool expect_rounded(const std::string& what, hv_dtype dtype, const std::vector<float>& got,
                    const std::vector<double>& want, double bound);
// The stated norm bounds: 2e-3 for fp16 (4u; one rounding gives ~u/√3 ≈ 3e-4 in the norm), 1.6e-2 for bf16 (4u).
double norm_bound(hv_dtype dtype);

}  // namespace hvt
