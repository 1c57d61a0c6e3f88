// device.h: RAII over the C ABI for the tests (the C# side does the same with SafeHandles), and
// HV_OK_OR_FAIL, which reports a failed call with hv_last_error().
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "check.h"
#include "hipvision.h"

#define HV_EXPECT_OK(call) HV_CHECK((call) == HV_OK) << #call << " -> " << hv_last_error()

namespace hvt {

class Context {
public:
    explicit Context(int warp_size = 0) {
        hv_context_options o{};
        o.emulator_warp_size = warp_size;
        HV_EXPECT_OK(hv_context_create(&o, &ctx_));
    }
    ~Context() { hv_context_destroy(ctx_); }
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;
    hv_context* get() const { return ctx_; }
    int warp_size() const {
        int32_t w = 0;
        HV_EXPECT_OK(hv_context_warp_size(ctx_, &w));
        return w;
    }

private:
    hv_context* ctx_ = nullptr;
};

class Buffer {
public:
    Buffer(const Context& c, size_t floats) { HV_EXPECT_OK(hv_buffer_alloc(c.get(), floats * sizeof(float), &buf_)); }
    Buffer(const Context& c, const std::vector<float>& v) : Buffer(c, v.size()) {
        HV_EXPECT_OK(hv_buffer_upload(buf_, 0, v.data(), v.size() * sizeof(float)));
    }
    ~Buffer() { hv_buffer_free(buf_); }
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    hv_buffer* get() const { return buf_; }
    std::vector<float> download(size_t floats) const {
        std::vector<float> v(floats);
        HV_EXPECT_OK(hv_buffer_download(buf_, 0, v.data(), floats * sizeof(float)));
        return v;
    }

private:
    hv_buffer* buf_ = nullptr;
};

// The warp sizes to test on this build: both on the emulator, the device's own on a GPU (0).
inline std::vector<int> warp_sizes() {
    const char* backend = "";
    hv_get_backend(&backend);
    return std::string(backend) == "emulator" ? std::vector<int>{32, 64} : std::vector<int>{0};
}

}  // namespace hvt
