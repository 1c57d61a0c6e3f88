// status.cpp: the thread-local last error and the status helpers of the C ABI.
#include <string>

#include "boundary.h"

namespace {
thread_local std::string t_last_error;
}

namespace hv {

void clear_last_error() { t_last_error.clear(); }

hv_status set_last_error(hv_status status, const char* function, const char* message) noexcept {
    try {
        t_last_error = std::string(function) + ": " + message;
    } catch (...) {
        // Out of memory while reporting: keep the status, lose the words.
    }
    return status;
}

void check_hip(hipError_t e, const char* what) {
    if (e == hipSuccess) return;
    std::string message = std::string(what) + " failed: " + hipGetErrorString(e);
#if defined(HV_PLATFORM_EMULATOR)
    const std::string detail = hv::emu::last_error_detail();
    if (!detail.empty()) message += " (" + detail + ")";
#endif
    throw Error(e == hipErrorOutOfMemory ? HV_ERROR_OUT_OF_MEMORY : HV_ERROR_DEVICE, message);
}

}  // namespace hv

extern "C" {

HV_API const char* hv_last_error(void) { return t_last_error.c_str(); }

HV_API const char* hv_status_string(hv_status status) {
    switch (status) {
        case HV_OK: return "HV_OK";
        case HV_ERROR_INVALID_ARGUMENT: return "HV_ERROR_INVALID_ARGUMENT";
        case HV_ERROR_OUT_OF_MEMORY: return "HV_ERROR_OUT_OF_MEMORY";
        case HV_ERROR_DEVICE: return "HV_ERROR_DEVICE";
        case HV_ERROR_UNSUPPORTED: return "HV_ERROR_UNSUPPORTED";
        case HV_ERROR_INTERNAL: return "HV_ERROR_INTERNAL";
    }
    return "HV_STATUS_UNKNOWN";
}

HV_API hv_status hv_get_backend(const char** name) {
    return hv::guarded("hv_get_backend", [&] {
        hv::require(name != nullptr, "name is NULL");
#if defined(HV_PLATFORM_AMD)
        *name = "amd";
#elif defined(HV_PLATFORM_NVIDIA)
        *name = "nvidia";
#else
        *name = "emulator";
#endif
        return HV_OK;
    });
}

}  // extern "C"
