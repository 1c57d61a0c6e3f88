// context.cpp: hv_context_* entries. A context is one device and one stream; on the emulator build
// it also fixes the emulated warp size and how many host threads run blocks.
#include <string>

#include "boundary.h"
#include "handles.h"
#include "../libs/conv2d_dense.h"
#include "../vendor/blas.h"

namespace hv {

Device::~Device() {
    if (!stream) return;
#if !defined(HV_PLATFORM_EMULATOR)
    (void)hipSetDevice(ordinal);
#endif
    if (capturing) {  // destroyed mid-capture: end it and drop what was recorded
        hipGraph_t partial = nullptr;
        if (hipStreamEndCapture(stream, &partial) == hipSuccess && partial) (void)hipGraphDestroy(partial);
    }
    (void)hipStreamSynchronize(stream);
    conv_close(*this);
    blas_close(*this);
    (void)hipStreamDestroy(stream);
}

namespace {

std::shared_ptr<Device> open_device(const hv_context_options& o) {
    require(o.device >= 0, "options.device is negative (" + std::to_string(o.device) + ")");
    auto device = std::make_shared<Device>();
    device->ordinal = o.device;
#if defined(HV_PLATFORM_EMULATOR)
    const int warp = o.emulator_warp_size == 0 ? 64 : o.emulator_warp_size;
    require(warp == 32 || warp == 64,
            "options.emulator_warp_size must be 0, 32 or 64, got " + std::to_string(o.emulator_warp_size));
    require(o.emulator_threads >= 0,
            "options.emulator_threads is negative (" + std::to_string(o.emulator_threads) + ")");
    require(o.device == 0, "the emulator has device 0 only, got " + std::to_string(o.device));
    check_hip(hv::emu::stream_create(&device->stream, warp, o.emulator_threads), "creating the emulator stream");
    device->warp_size = warp;
#else
    int count = 0;
    const hipError_t e = hipGetDeviceCount(&count);
    if (e == hipErrorNoDevice || (e == hipSuccess && count == 0))
        throw Error(HV_ERROR_UNSUPPORTED, std::string("no GPU visible to the runtime (") + hipGetErrorString(e) + ")");
    check_hip(e, "hipGetDeviceCount");
    if (o.device >= count)
        throw Error(HV_ERROR_UNSUPPORTED, "no GPU with ordinal " + std::to_string(o.device) + " (" +
                                              std::to_string(count) + " visible)");
    check_hip(hipSetDevice(o.device), "hipSetDevice");
    check_hip(hipDeviceGetAttribute(&device->warp_size, hipDeviceAttributeWarpSize, o.device), "querying the warp size");
    check_hip(hipStreamCreate(&device->stream), "hipStreamCreate");
#endif
    blas_open(*device);
    conv_open(*device, o.tuning_cache_dir ? o.tuning_cache_dir : "");
    return device;
}

}  // namespace
}  // namespace hv

extern "C" {

HV_API hv_status hv_context_create(const hv_context_options* options, hv_context** context) {
    return hv::guarded("hv_context_create", [&] {
        hv::require(context != nullptr, "context (the out pointer) is NULL");
        const hv_context_options o = options ? *options : hv_context_options{};
        auto device = hv::open_device(o);
        *context = new hv_context{std::move(device), {}};
        return HV_OK;
    });
}

HV_API hv_status hv_context_destroy(hv_context* context) {
    return hv::guarded("hv_context_destroy", [&] {
        delete context;
        return HV_OK;
    });
}

HV_API hv_status hv_context_warp_size(const hv_context* context, int32_t* warp_size) {
    return hv::guarded("hv_context_warp_size", [&] {
        hv::require(context != nullptr, "context is NULL");
        hv::require(warp_size != nullptr, "warp_size (the out pointer) is NULL");
        *warp_size = context->device->warp_size;
        return HV_OK;
    });
}

HV_API hv_status hv_context_synchronize(hv_context* context) {
    return hv::guarded("hv_context_synchronize", [&] {
        hv::require(context != nullptr, "context is NULL");
        hv::require_not_capturing(*context->device, "hv_context_synchronize");
#if !defined(HV_PLATFORM_EMULATOR)
        hv::check_hip(hipSetDevice(context->device->ordinal), "hipSetDevice");
#endif
        hv::check_hip(hipStreamSynchronize(context->device->stream), "hipStreamSynchronize");
        return HV_OK;
    });
}

}  // extern "C"
