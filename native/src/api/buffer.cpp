// buffer.cpp: hv_buffer_* entries: device allocations, views, element types and the copies in and out of them.
#include <memory>
#include <string>
#include <utility>

#include "boundary.h"
#include "handles.h"

namespace {

void activate(const hv::Device& d) {
#if defined(HV_PLATFORM_EMULATOR)
    (void)d;
#else
    hv::check_hip(hipSetDevice(d.ordinal), "hipSetDevice");
#endif
}

void require_range(const hv_buffer* buffer, size_t offset, size_t bytes) {
    hv::require(buffer != nullptr, "buffer is NULL");
    hv::require(offset <= buffer->bytes && bytes <= buffer->bytes - offset,
                "range [" + std::to_string(offset) + ", +" + std::to_string(bytes) + ") exceeds the buffer's " +
                    std::to_string(buffer->bytes) + " bytes");
}

}  // namespace

extern "C" {

HV_API hv_status hv_buffer_alloc(hv_context* context, size_t bytes, hv_buffer** buffer) {
    return hv::guarded("hv_buffer_alloc", [&] {
        hv::require(context != nullptr, "context is NULL");
        hv::require(buffer != nullptr, "buffer (the out pointer) is NULL");
        activate(*context->device);
        void* data = nullptr;
        hv::check_hip(hipMalloc(&data, bytes ? bytes : 1), ("hipMalloc of " + std::to_string(bytes) + " bytes").c_str());
        std::shared_ptr<void> allocation(data, [device = context->device](void* p) {
#if !defined(HV_PLATFORM_EMULATOR)
            (void)hipSetDevice(device->ordinal);
#endif
            (void)hipFree(p);
        });
        *buffer = new hv_buffer{context->device, std::move(allocation), data, bytes};
        return HV_OK;
    });
}

HV_API hv_status hv_buffer_view(hv_buffer* parent, size_t offset, size_t bytes, hv_buffer** view) {
    return hv::guarded("hv_buffer_view", [&] {
        require_range(parent, offset, bytes);
        hv::require(view != nullptr, "view (the out pointer) is NULL");
        hv::require(offset % 256 == 0, "offset " + std::to_string(offset) + " is not a multiple of 256");
        *view = new hv_buffer{parent->device, parent->allocation, static_cast<char*>(parent->data) + offset, bytes,
                              parent->dtype};
        return HV_OK;
    });
}

HV_API hv_status hv_buffer_set_dtype(hv_buffer* buffer, hv_dtype dtype) {
    return hv::guarded("hv_buffer_set_dtype", [&] {
        hv::require(buffer != nullptr, "buffer is NULL");
        hv::require(dtype == HV_DTYPE_FLOAT32 || dtype == HV_DTYPE_FLOAT16 || dtype == HV_DTYPE_BFLOAT16,
                    "dtype " + std::to_string(int(dtype)) + " is not an hv_dtype");
        buffer->dtype = dtype;
        return HV_OK;
    });
}

HV_API hv_status hv_buffer_get_dtype(const hv_buffer* buffer, hv_dtype* dtype) {
    return hv::guarded("hv_buffer_get_dtype", [&] {
        hv::require(buffer != nullptr, "buffer is NULL");
        hv::require(dtype != nullptr, "dtype (the out pointer) is NULL");
        *dtype = buffer->dtype;
        return HV_OK;
    });
}

HV_API hv_status hv_buffer_free(hv_buffer* buffer) {
    return hv::guarded("hv_buffer_free", [&] {
        delete buffer;
        return HV_OK;
    });
}

HV_API hv_status hv_buffer_size(const hv_buffer* buffer, size_t* bytes) {
    return hv::guarded("hv_buffer_size", [&] {
        hv::require(buffer != nullptr, "buffer is NULL");
        hv::require(bytes != nullptr, "bytes (the out pointer) is NULL");
        *bytes = buffer->bytes;
        return HV_OK;
    });
}

HV_API hv_status hv_buffer_upload(hv_buffer* buffer, size_t offset, const void* src, size_t bytes) {
    return hv::guarded("hv_buffer_upload", [&] {
        require_range(buffer, offset, bytes);
        hv::require(src != nullptr || bytes == 0, "src is NULL");
        if (bytes == 0) return HV_OK;
        const hv::Device& d = *buffer->device;
        hv::require_not_capturing(d, "hv_buffer_upload");
        activate(d);
        hv::check_hip(hipMemcpyAsync(static_cast<char*>(buffer->data) + offset, src, bytes, hipMemcpyHostToDevice, d.stream),
                      "hipMemcpyAsync (upload)");
        hv::check_hip(hipStreamSynchronize(d.stream), "hipStreamSynchronize (upload)");
        return HV_OK;
    });
}

HV_API hv_status hv_buffer_download(const hv_buffer* buffer, size_t offset, void* dst, size_t bytes) {
    return hv::guarded("hv_buffer_download", [&] {
        require_range(buffer, offset, bytes);
        hv::require(dst != nullptr || bytes == 0, "dst is NULL");
        if (bytes == 0) return HV_OK;
        const hv::Device& d = *buffer->device;
        hv::require_not_capturing(d, "hv_buffer_download");
        activate(d);
        hv::check_hip(hipMemcpyAsync(dst, static_cast<const char*>(buffer->data) + offset, bytes, hipMemcpyDeviceToHost, d.stream),
                      "hipMemcpyAsync (download)");
        hv::check_hip(hipStreamSynchronize(d.stream), "hipStreamSynchronize (download)");
        return HV_OK;
    });
}

}  // extern "C"
