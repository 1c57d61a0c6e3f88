// handles.h: what the opaque handles of hipvision.h hold.
// A context owns a Device (stream + properties); buffers share ownership of it, so either may be
// destroyed first and the stream outlives every allocation made for it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "hipvision.h"
#include "../platform/hv_platform.h"

namespace hv {

struct ConvState;  // libs/conv2d_dense.cpp

struct Device {
    int ordinal = 0;
    int warp_size = 0;
    hipStream_t stream = nullptr;
    void* blas = nullptr;  // the vendor BLAS handle, owned by native/src/vendor/blas_*.cpp (null without one)
    bool capturing = false;  // between hv_graph_begin and hv_graph_end (native/src/api/graph.cpp)
    std::shared_ptr<ConvState> conv;  // dense-conv choices per shape, vendor handle, tuning cache (libs/conv2d_dense.cpp)
    ~Device();
};

// Throws HV_ERROR_INVALID_ARGUMENT naming `what` if the device's stream is capturing a graph (graph.cpp).
void require_not_capturing(const Device& d, const char* what);

}  // namespace hv

struct hv_context {
    std::shared_ptr<hv::Device> device;
    std::string tuning_report;  // what hv_context_tuning_report last returned
};

// An instantiated graph (graph.cpp); keeps its device (and so the stream it replays on) alive.
struct hv_graph {
    std::shared_ptr<hv::Device> device;
    hipGraph_t graph = nullptr;
    hipGraphExec_t exec = nullptr;
    int64_t launches = 0;
    ~hv_graph();
};

// A device allocation, or a view of part of one: `allocation` owns the memory (freed with the last buffer that
// shares it), `data` is where this buffer's bytes start.
struct hv_buffer {
    std::shared_ptr<hv::Device> device;
    std::shared_ptr<void> allocation;
    void* data = nullptr;
    size_t bytes = 0;
    hv_dtype dtype = HV_DTYPE_FLOAT32;  // how ops read the bytes (hv_buffer_set_dtype); views copy their parent's
};
