// args.cpp: see args.h.
#include "args.h"

#include <cmath>
#include <limits>
#include <string>

#include "boundary.h"
#include "../kernels/storage.h"

namespace hv {

Device& device_of(hv_context* context) {
    require(context != nullptr, "context is NULL");
    Device& d = *context->device;
#if !defined(HV_PLATFORM_EMULATOR)
    check_hip(hipSetDevice(d.ordinal), "hipSetDevice");
#endif
    return d;
}

int64_t extent(const char* name, int64_t value, int64_t min) {
    require(value >= min, std::string(name) + " must be >= " + std::to_string(min) + ", got " + std::to_string(value));
    require(value <= std::numeric_limits<int32_t>::max(),
            std::string(name) + " must fit in int32, got " + std::to_string(value));
    return value;
}

int64_t product(const char* what, std::initializer_list<int64_t> factors) {
    int64_t p = 1;
    for (int64_t f : factors) require(!__builtin_mul_overflow(p, f, &p), std::string(what) + " overflows int64");
    return p;
}

void* bytes_of(const hv_context* context, const hv_buffer* buffer, const char* name, int64_t bytes) {
    require(buffer != nullptr, std::string(name) + " is NULL");
    require(buffer->device == context->device, std::string(name) + " belongs to another context's device");
    require(uint64_t(bytes) <= buffer->bytes,
            std::string(name) + " holds " + std::to_string(buffer->bytes) + " bytes, needs " + std::to_string(uint64_t(bytes)));
    return buffer->data;
}

const char* dtype_name(hv_dtype dtype) {
    switch (dtype) {
    case HV_DTYPE_FLOAT32: return "float32";
    case HV_DTYPE_FLOAT16: return "float16";
    case HV_DTYPE_BFLOAT16: return "bfloat16";
    }
    return "an unknown dtype";
}

hv_dtype common_dtype(std::initializer_list<Tensor> tensors) {
    const Tensor* first = nullptr;
    for (const Tensor& t : tensors) {
        if (t.buffer == nullptr) continue;
        if (first == nullptr) {
            first = &t;
            continue;
        }
        require(t.buffer->dtype == first->buffer->dtype,
                std::string(t.name) + " is " + dtype_name(t.buffer->dtype) + " but " + first->name + " is " +
                    dtype_name(first->buffer->dtype) + " (an op's tensors share one element type)");
    }
    return first ? first->buffer->dtype : HV_DTYPE_FLOAT32;
}

void* elements_of(const hv_context* context, const hv_buffer* buffer, const char* name, int64_t count) {
    require(buffer != nullptr, std::string(name) + " is NULL");
    const int64_t size = int64_t(dtype_size(buffer->dtype));
    require(uint64_t(count) <= uint64_t(std::numeric_limits<int64_t>::max()) / uint64_t(size),
            std::string(name) + ": size overflows int64");
    return bytes_of(context, buffer, name, count * size);
}

void* optional_elements_of(const hv_context* context, const hv_buffer* buffer, const char* name, int64_t count) {
    return buffer ? elements_of(context, buffer, name, count) : nullptr;
}

void require_distinct(const hv_buffer* out, const char* out_name, const hv_buffer* in, const char* in_name) {
    require(out == nullptr || out != in, std::string(out_name) + " must not alias " + in_name);
}

void require_finite(const char* name, float value) {
    require(std::isfinite(value), std::string(name) + " must be finite, got " + std::to_string(value));
}

int activation_of(hv_activation activation) {
    require(activation >= HV_ACTIVATION_NONE && activation <= HV_ACTIVATION_SIGMOID,
            "activation " + std::to_string(int(activation)) + " is not an hv_activation");
    return int(activation);
}

}  // namespace hv
