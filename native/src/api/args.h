// args.h: the argument checks every op entry shares. Each throws hv::Error(HV_ERROR_INVALID_ARGUMENT)
// with a message naming the argument; hv::guarded() puts the function's name in front.
#pragma once

#include <cstdint>
#include <initializer_list>

#include "hipvision.h"
#include "handles.h"

namespace hv {

// The context's device, made current on GPU builds; throws if context is NULL.
Device& device_of(hv_context* context);

// `value` as a shape extent: >= min and <= INT32_MAX (kernels index with int).
int64_t extent(const char* name, int64_t value, int64_t min = 0);

// The product of extents, or an error naming `what` if it overflows int64.
int64_t product(const char* what, std::initializer_list<int64_t> factors);

// The device pointer of a buffer argument, after checking it is not NULL, belongs to context's device and
// holds at least `bytes` bytes.
void* bytes_of(const hv_context* context, const hv_buffer* buffer, const char* name, int64_t bytes);

// "float32", "float16" or "bfloat16".
const char* dtype_name(hv_dtype dtype);

// One tensor argument of an op: its name and buffer (NULL for an absent optional one).
struct Tensor {
    const char* name;
    const hv_buffer* buffer;
};

// The element type all non-NULL `tensors` share (float32 if every one is NULL); on a mismatch the error
// names the first tensor and the one that differs, with both types.
hv_dtype common_dtype(std::initializer_list<Tensor> tensors);

// bytes_of for `count` elements of the buffer's own element type. The optional form maps NULL to nullptr.
void* elements_of(const hv_context* context, const hv_buffer* buffer, const char* name, int64_t count);
void* optional_elements_of(const hv_context* context, const hv_buffer* buffer, const char* name, int64_t count);

// An output that must not be the same buffer as an input ("y must not alias x").
void require_distinct(const hv_buffer* out, const char* out_name, const hv_buffer* in, const char* in_name);

void require_finite(const char* name, float value);

// `activation` as the int the kernels take, after checking it is an hv_activation.
int activation_of(hv_activation activation);

}  // namespace hv
