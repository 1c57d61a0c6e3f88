// test_cast.cpp: element types at the C ABI. hv_cast bit-exact against precision.cpp's independent float64
// rounding: special values (±0, subnormals of both types, 65504, 65520 -> inf, ties to even, NaN with
// payloads, float subnormals, FLT_MAX), every one of the 65536 fp16 and bf16 bit patterns widened, narrowed
// back and crossed over, same-type copies (signalling NaNs kept), and random floats over the whole exponent
// range; in place. Then hv_buffer_set_dtype/get_dtype, views inheriting the type, element-size checks,
// mismatch errors naming both arguments, and hv_cast's overlap rule. Warp 32 and 64.
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include "device.h"
#include "precision.h"

namespace {

std::vector<float> special_floats() {
    std::vector<float> v = {0.0f, -0.0f, 1.0f, -1.0f, 65504.0f, 65505.0f, 65519.99f, 65520.0f, -65520.0f, 65536.0f,
                            1e6f, INFINITY, -INFINITY, FLT_MAX, -FLT_MAX, FLT_MIN, FLT_MIN / 2, FLT_TRUE_MIN,
                            -FLT_TRUE_MIN, 3.3895314e38f, 3.3961776e38f};
    for (int e = -27; e <= -13; ++e) {  // around fp16's subnormal range (2^-24 .. 2^-14)
        const float p = std::ldexp(1.0f, e);
        for (float m : {1.0f, 1.5f, 1.25f, 1.75f, 1.0000001f, 0.99999994f}) v.push_back(p * m);
    }
    v.push_back(std::ldexp(1.0f, -14) - std::ldexp(1.0f, -25));  // the tie between 1023 and 1024 units of 2^-24
    for (float tie : {1.0f + std::ldexp(1.0f, -11), 1.0f + 3 * std::ldexp(1.0f, -11), 2049.0f, 2051.0f,
                      1.0f + std::ldexp(1.0f, -8), 1.0f + 3 * std::ldexp(1.0f, -8), 257.0f, 259.0f}) {
        v.push_back(tie);
        v.push_back(-tie);
        v.push_back(std::nextafter(tie, 0.0f));
        v.push_back(std::nextafter(tie, INFINITY));
    }
    for (uint32_t nan : {0x7fc00000u, 0xffc00000u, 0x7f800001u, 0x7fa5a5a5u, 0xff812345u, 0x7fffffffu, 0x7f802000u})
        v.push_back(hvt::float_of(nan));
    std::uniform_int_distribution<uint32_t> any;
    for (int i = 0; i < 4000; ++i) v.push_back(hvt::float_of(any(hvt::rng())));
    std::uniform_real_distribution<float> mantissa(1.0f, 2.0f);
    std::uniform_int_distribution<int> exponent(-30, 17);
    for (int i = 0; i < 4000; ++i) v.push_back((i % 2 ? -1 : 1) * std::ldexp(mantissa(hvt::rng()), exponent(hvt::rng())));
    return v;
}

void expect_bits(const std::string& what, const std::vector<uint16_t>& got, const std::vector<uint16_t>& want,
                 const std::vector<float>& in) {
    size_t bad = 0;
    for (size_t i = 0; i < got.size(); ++i)
        if (got[i] != want[i] && bad++ < 4) {
            HV_CHECK(got[i] == want[i]) << what << ": [" << i << "] from float bits 0x" << std::hex << hvt::bits_of(in[i])
                                        << " (" << in[i] << ") got 0x" << got[i] << ", want 0x" << want[i] << std::dec;
        }
    HV_CHECK(bad == 0) << what << ": " << bad << " of " << got.size() << " differ";
}

std::vector<uint16_t> download_bits(hv_buffer* b, size_t n) {
    std::vector<uint16_t> v(n);
    HV_EXPECT_OK(hv_buffer_download(b, 0, v.data(), n * 2));
    return v;
}

}  // namespace

HV_TEST(cast_float_to_half_types) {
    for (int warp : hvt::warp_sizes()) {
        hvt::Context ctx(warp);
        const std::vector<float> x = special_floats();
        const size_t n = x.size();
        hvt::TypedBuffer bx(ctx, HV_DTYPE_FLOAT32, x);
        for (hv_dtype t : hvt::half_dtypes()) {
            hvt::TypedBuffer by(ctx, t, n);
            HV_EXPECT_OK(hv_cast(ctx.get(), bx.get(), by.get(), int64_t(n)));
            std::vector<uint16_t> want(n);
            for (size_t i = 0; i < n; ++i) want[i] = hvt::ref_encode(t, x[i]);
            expect_bits(std::string("float32 -> ") + hvt::dtype_label(t), by.download_bits(n), want, x);
            // And back: exact widening (NaN: quiet with the payload on top).
            hvt::TypedBuffer back(ctx, HV_DTYPE_FLOAT32, n);
            HV_EXPECT_OK(hv_cast(ctx.get(), by.get(), back.get(), int64_t(n)));
            const std::vector<float> wide = back.download(n);
            size_t bad = 0;
            for (size_t i = 0; i < n; ++i)
                if (hvt::bits_of(wide[i]) != hvt::bits_of(hvt::ref_decode(t, want[i]))) ++bad;
            HV_CHECK(bad == 0) << hvt::dtype_label(t) << " -> float32 after the round trip: " << bad << " differ";
        }
    }
}

HV_TEST(cast_every_half_pattern) {
    for (int warp : hvt::warp_sizes()) {
        hvt::Context ctx(warp);
        const size_t n = 65536;
        for (hv_dtype t : hvt::half_dtypes()) {
            const hv_dtype other = t == HV_DTYPE_FLOAT16 ? HV_DTYPE_BFLOAT16 : HV_DTYPE_FLOAT16;
            std::vector<uint16_t> all(n);
            for (size_t i = 0; i < n; ++i) all[i] = uint16_t(i);
            hvt::TypedBuffer bx(ctx, t, n);
            HV_EXPECT_OK(hv_buffer_upload(bx.get(), 0, all.data(), n * 2));
            hvt::TypedBuffer wide(ctx, HV_DTYPE_FLOAT32, n), narrow(ctx, t, n), cross(ctx, other, n), copy(ctx, t, n);
            HV_EXPECT_OK(hv_cast(ctx.get(), bx.get(), wide.get(), int64_t(n)));
            HV_EXPECT_OK(hv_cast(ctx.get(), wide.get(), narrow.get(), int64_t(n)));
            HV_EXPECT_OK(hv_cast(ctx.get(), bx.get(), cross.get(), int64_t(n)));
            HV_EXPECT_OK(hv_cast(ctx.get(), bx.get(), copy.get(), int64_t(n)));
            const std::vector<float> w = wide.download(n);
            std::vector<float> want_wide(n);
            std::vector<uint16_t> want_narrow(n), want_cross(n);
            for (size_t i = 0; i < n; ++i) {
                want_wide[i] = hvt::ref_decode(t, all[i]);
                want_narrow[i] = hvt::ref_encode(t, want_wide[i]);
                want_cross[i] = hvt::ref_encode(other, want_wide[i]);
            }
            size_t bad = 0;
            for (size_t i = 0; i < n; ++i) bad += hvt::bits_of(w[i]) != hvt::bits_of(want_wide[i]);
            HV_CHECK(bad == 0) << hvt::dtype_label(t) << " -> float32: " << bad << " of 65536 patterns differ";
            const std::string name = hvt::dtype_label(t);
            expect_bits(name + " -> float32 -> " + name, narrow.download_bits(n), want_narrow, want_wide);
            expect_bits(name + " -> " + hvt::dtype_label(other), cross.download_bits(n), want_cross, want_wide);
            expect_bits(name + " -> " + name + " (a copy)", copy.download_bits(n), all, want_wide);
            // Only NaNs change on the way through float, and only by becoming quiet.
            size_t changed = 0;
            for (size_t i = 0; i < n; ++i) changed += want_narrow[i] != all[i] && !std::isnan(want_wide[i]);
            HV_CHECK(changed == 0) << name << ": " << changed << " non-NaN patterns do not survive float32";
            // In place, same type: a no-op.
            HV_EXPECT_OK(hv_cast(ctx.get(), bx.get(), bx.get(), int64_t(n)));
            expect_bits(name + " in place", download_bits(bx.get(), n), all, want_wide);
        }
    }
}

HV_TEST(dtype_buffer_type) {
    hvt::Context ctx;
    hv_buffer* b = nullptr;
    HV_EXPECT_OK(hv_buffer_alloc(ctx.get(), 1024, &b));
    hv_dtype t = HV_DTYPE_BFLOAT16;
    HV_EXPECT_OK(hv_buffer_get_dtype(b, &t));
    HV_CHECK(t == HV_DTYPE_FLOAT32) << "a new buffer is float32";
    HV_EXPECT_OK(hv_buffer_set_dtype(b, HV_DTYPE_FLOAT16));
    hv_buffer* view = nullptr;
    HV_EXPECT_OK(hv_buffer_view(b, 256, 256, &view));
    HV_EXPECT_OK(hv_buffer_get_dtype(view, &t));
    HV_CHECK(t == HV_DTYPE_FLOAT16) << "a view starts with its parent's type";
    HV_EXPECT_OK(hv_buffer_set_dtype(view, HV_DTYPE_BFLOAT16));
    HV_EXPECT_OK(hv_buffer_get_dtype(b, &t));
    HV_CHECK(t == HV_DTYPE_FLOAT16) << "setting a view's type leaves the parent's";
    HV_CHECK(hv_buffer_set_dtype(b, hv_dtype(3)) == HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(std::string(hv_last_error()).find("dtype 3") != std::string::npos) << hv_last_error();
    HV_CHECK(hv_buffer_set_dtype(nullptr, HV_DTYPE_FLOAT16) == HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(hv_buffer_get_dtype(b, nullptr) == HV_ERROR_INVALID_ARGUMENT);
    // Sizes count elements of the buffer's type: the 256-byte bf16 view holds 128, not 64.
    HV_EXPECT_OK(hv_activate(ctx.get(), view, view, 128, HV_ACTIVATION_RELU));
    HV_CHECK(hv_activate(ctx.get(), view, view, 129, HV_ACTIVATION_RELU) == HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(std::string(hv_last_error()) == "hv_activate: x holds 256 bytes, needs 258") << hv_last_error();
    hv_buffer_free(view);
    hv_buffer_free(b);
}

HV_TEST(dtype_mismatch_names_both) {
    hvt::Context ctx;
    hvt::TypedBuffer x(ctx, HV_DTYPE_FLOAT16, 64), w(ctx, HV_DTYPE_FLOAT32, 64), y(ctx, HV_DTYPE_FLOAT16, 64);
    hvt::TypedBuffer bias(ctx, HV_DTYPE_BFLOAT16, 8);
    auto expect = [](hv_status s, const std::string& message) {
        HV_CHECK(s == HV_ERROR_INVALID_ARGUMENT) << message;
        HV_CHECK(std::string(hv_last_error()).rfind(message, 0) == 0) << "got '" << hv_last_error() << "', want '"
                                                                      << message << "...'";
    };
    expect(hv_linear(ctx.get(), x.get(), w.get(), nullptr, y.get(), 8, 8, 8, HV_ACTIVATION_NONE),
           "hv_linear: weight is float32 but x is float16");
    expect(hv_linear(ctx.get(), x.get(), x.get(), bias.get(), y.get(), 8, 8, 8, HV_ACTIVATION_NONE),
           "hv_linear: bias is bfloat16 but x is float16");
    expect(hv_layer_norm(ctx.get(), x.get(), nullptr, nullptr, w.get(), 8, 8, 1e-5f),
           "hv_layer_norm: y is float32 but x is float16");
    expect(hv_add(ctx.get(), w.get(), x.get(), x.get(), 8, 8, 8), "hv_add: b is float16 but a is float32");
    expect(hv_activate(ctx.get(), x.get(), w.get(), 8, HV_ACTIVATION_GELU), "hv_activate: y is float32 but x is float16");
    expect(hv_batch_norm(ctx.get(), x.get(), w.get(), x.get(), nullptr, nullptr, y.get(), 1, 8, 8, HV_LAYOUT_NHWC, 1e-5f,
                         HV_ACTIVATION_NONE),
           "hv_batch_norm: mean is float32 but x is float16");
    expect(hv_attention(ctx.get(), x.get(), bias.get(), w.get(), 1, 2, 1, 4, 0.5f),
           "hv_attention: bias is bfloat16 but qkv is float16");
    // hv_cast takes any pair; overlap is refused unless it is the same buffer with the same type.
    HV_EXPECT_OK(hv_cast(ctx.get(), x.get(), bias.get(), 8));
    HV_EXPECT_OK(hv_cast(ctx.get(), x.get(), x.get(), 8));
    hv_buffer* as_bf16 = nullptr;
    HV_EXPECT_OK(hv_buffer_view(x.get(), 0, 128, &as_bf16));
    HV_EXPECT_OK(hv_buffer_set_dtype(as_bf16, HV_DTYPE_BFLOAT16));
    expect(hv_cast(ctx.get(), x.get(), as_bf16, 8), "hv_cast: y overlaps x");
    hv_buffer* as_f32 = nullptr;
    HV_EXPECT_OK(hv_buffer_view(w.get(), 0, 256, &as_f32));
    HV_EXPECT_OK(hv_cast(ctx.get(), w.get(), as_f32, 8));  // the same bytes, the same type: in place
    hv_buffer_free(as_f32);
    hv_buffer_free(as_bf16);
}
