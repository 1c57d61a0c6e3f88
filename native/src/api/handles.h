// handles.h: what the opaque handles of hipvision.h hold.
// A context owns a Device (stream + properties); buffers share ownership of it, so either may be
// destroyed first and the stream outlives every allocation made for it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "hipvision.h"
#include "../platform/hv_platform.h"

namespace hv {

struct Device {
    int ordinal = 0;
    int warp_size = 0;
    hipStream_t stream = nullptr;
    void* blas = nullptr;  // the vendor BLAS handle, owned by native/src/vendor/blas_*.cpp (null without one)
    ~Device();
};

}  // namespace hv

struct hv_context {
    std::shared_ptr<hv::Device> device;
};

// A device allocation, or a view of part of one: `allocation` owns the memory (freed with the last buffer that
// shares it), `data` is where this buffer's bytes start.
struct hv_buffer {
    std::shared_ptr<hv::Device> device;
    std::shared_ptr<void> allocation;
    void* data = nullptr;
    size_t bytes = 0;
};
