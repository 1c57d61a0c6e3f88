// convnet_args.h: argument checks shared by the convnet entries (ops_convnet.cpp, ops_preprocess.cpp).
// Each throws hv::Error(INVALID_ARGUMENT) with a message naming the argument; hv::guarded prefixes the
// function's name.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>

#include "boundary.h"
#include "handles.h"

namespace hv::convnet {

inline void require_extent(int64_t v, const char* name, int64_t min = 0) {
    require(v >= min, std::string(name) + " must be >= " + std::to_string(min) + ", got " + std::to_string(v));
    require(v <= std::numeric_limits<int32_t>::max(), std::string(name) + " must fit in int32, got " + std::to_string(v));
}

// a * b * ..., refusing products beyond int64 (each factor already >= 0).
inline int64_t checked_product(std::initializer_list<int64_t> factors, const char* what) {
    int64_t p = 1;
    for (int64_t f : factors) {
        require(f == 0 || p <= std::numeric_limits<int64_t>::max() / f, std::string(what) + " overflows int64");
        p *= f;
    }
    return p;
}

// The device pointer of a buffer argument after checking it belongs to `context` and holds `bytes`.
inline void* bytes_of(const hv_context* context, const hv_buffer* buffer, const char* name, int64_t bytes) {
    require(buffer != nullptr, std::string(name) + " is NULL");
    require(buffer->device == context->device, std::string(name) + " belongs to another context's device");
    require(uint64_t(bytes) <= buffer->bytes, std::string(name) + " holds " + std::to_string(buffer->bytes) +
                                                  " bytes, needs " + std::to_string(uint64_t(bytes)));
    return buffer->data;
}

inline float* floats_of(const hv_context* context, const hv_buffer* buffer, const char* name, int64_t floats) {
    require(uint64_t(floats) <= std::numeric_limits<int64_t>::max() / sizeof(float),
            std::string(name) + ": size overflows");
    return static_cast<float*>(bytes_of(context, buffer, name, floats * int64_t(sizeof(float))));
}

inline float* optional_floats_of(const hv_context* context, const hv_buffer* buffer, const char* name, int64_t floats) {
    return buffer ? floats_of(context, buffer, name, floats) : nullptr;
}

inline void require_distinct(const hv_buffer* out, const hv_buffer* in, const char* out_name, const char* in_name) {
    require(out == nullptr || out != in, std::string(out_name) + " must not alias " + in_name);
}

inline int activation_of(hv_activation a) {
    require(a >= HV_ACTIVATION_NONE && a <= HV_ACTIVATION_SILU,
            "activation " + std::to_string(int(a)) + " is not an hv_activation");
    return int(a);
}

// Makes the context's device current (GPU builds) before a launch.
inline void use_device(const hv_context* context) {
#if !defined(HV_PLATFORM_EMULATOR)
    check_hip(hipSetDevice(context->device->ordinal), "hipSetDevice");
#endif
}

}  // namespace hv::convnet
