// boundary.h: the extern "C" boundary's machinery. Every hv_ entry is written as
//   return hv::guarded("hv_x", [&] { ...validate with hv::require...; return HV_OK; });
// guarded() clears the thread-local last error, runs the body, and turns every exception into a status
// plus a message that starts with the function's name. Nothing thrown ever crosses into C.
#pragma once

#include <new>
#include <stdexcept>
#include <string>

#include "hipvision.h"
#include "../platform/hv_platform.h"

namespace hv {

// An error with the status it maps to; thrown inside the native library, caught at the boundary.
class Error : public std::runtime_error {
public:
    Error(hv_status status, const std::string& message) : std::runtime_error(message), status_(status) {}
    hv_status status() const { return status_; }

private:
    hv_status status_;
};

void clear_last_error();
hv_status set_last_error(hv_status status, const char* function, const char* message) noexcept;

inline void require(bool condition, const std::string& message) {
    if (!condition) throw Error(HV_ERROR_INVALID_ARGUMENT, message);
}

// Throws HV_ERROR_DEVICE (or OUT_OF_MEMORY) with the runtime's own words if `e` is not hipSuccess.
void check_hip(hipError_t e, const char* what);

template <class Body>
hv_status guarded(const char* function, Body&& body) noexcept {
    clear_last_error();
    try {
        return body();
    } catch (const Error& e) {
        return set_last_error(e.status(), function, e.what());
    } catch (const std::bad_alloc&) {
        return set_last_error(HV_ERROR_OUT_OF_MEMORY, function, "out of host memory");
    } catch (const std::exception& e) {
        return set_last_error(HV_ERROR_INTERNAL, function, e.what());
    } catch (...) {
        return set_last_error(HV_ERROR_INTERNAL, function, "unknown exception");
    }
}

}  // namespace hv
