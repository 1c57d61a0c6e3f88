// graph.cpp: hv_graph_* entries: capture of the context's stream into a graph, then replay.
// GPU builds use the runtime's stream capture (hipStreamBeginCapture in thread-local mode, so other host
// threads' unrelated calls are not disturbed); the emulator records closures (platform/emulator/hv_emulator.h).
// Device::capturing mirrors the stream's state so the copies and waits that would break a capture are
// refused at the boundary with a message instead of invalidating it.
#include <string>
#include <vector>

#include "boundary.h"
#include "handles.h"

namespace hv {

void require_not_capturing(const Device& d, const char* what) {
    if (d.capturing)
        throw Error(HV_ERROR_INVALID_ARGUMENT, std::string(what) +
                                                   " is not allowed while the context is capturing a graph "
                                                   "(hv_graph_begin .. hv_graph_end records op entries only)");
}

namespace {

void activate(const Device& d) {
#if defined(HV_PLATFORM_EMULATOR)
    (void)d;
#else
    check_hip(hipSetDevice(d.ordinal), "hipSetDevice");
#endif
}

int64_t count_kernels(hipGraph_t graph) {
#if defined(HV_PLATFORM_EMULATOR)
    return int64_t(hv::emu::graph_launch_count(graph));
#else
    size_t count = 0;
    check_hip(hipGraphGetNodes(graph, nullptr, &count), "hipGraphGetNodes");
    std::vector<hipGraphNode_t> nodes(count);
    if (count) check_hip(hipGraphGetNodes(graph, nodes.data(), &count), "hipGraphGetNodes");
    int64_t kernels = 0;
    for (hipGraphNode_t n : nodes) {
        hipGraphNodeType type;
        check_hip(hipGraphNodeGetType(n, &type), "hipGraphNodeGetType");
        if (type == hipGraphNodeTypeKernel) ++kernels;
    }
    return kernels;
#endif
}

}  // namespace
}  // namespace hv

hv_graph::~hv_graph() {
#if !defined(HV_PLATFORM_EMULATOR)
    (void)hipSetDevice(device->ordinal);
#endif
    if (exec) (void)hipGraphExecDestroy(exec);
    if (graph) (void)hipGraphDestroy(graph);
}

extern "C" {

HV_API hv_status hv_graph_begin(hv_context* context) {
    return hv::guarded("hv_graph_begin", [&] {
        hv::require(context != nullptr, "context is NULL");
        hv::Device& d = *context->device;
        hv::require(!d.capturing, "context is already capturing a graph (hv_graph_begin called twice)");
        hv::activate(d);
        hv::check_hip(hipStreamBeginCapture(d.stream, hipStreamCaptureModeThreadLocal), "hipStreamBeginCapture");
        d.capturing = true;
        return HV_OK;
    });
}

HV_API hv_status hv_graph_end(hv_context* context, hv_graph** graph) {
    return hv::guarded("hv_graph_end", [&] {
        hv::require(context != nullptr, "context is NULL");
        hv::require(graph != nullptr, "graph (the out pointer) is NULL");
        hv::Device& d = *context->device;
        hv::require(d.capturing, "context is not capturing a graph (hv_graph_end without hv_graph_begin)");
        hv::activate(d);
        auto g = std::make_unique<hv_graph>();
        g->device = context->device;
        d.capturing = false;
        hv::check_hip(hipStreamEndCapture(d.stream, &g->graph), "hipStreamEndCapture");
        g->launches = hv::count_kernels(g->graph);
        hv::check_hip(hipGraphInstantiateWithFlags(&g->exec, g->graph, 0), "hipGraphInstantiateWithFlags");
        *graph = g.release();
        return HV_OK;
    });
}

HV_API hv_status hv_graph_launch(hv_graph* graph) {
    return hv::guarded("hv_graph_launch", [&] {
        hv::require(graph != nullptr, "graph is NULL");
        const hv::Device& d = *graph->device;
        hv::require_not_capturing(d, "hv_graph_launch");
        hv::activate(d);
        hv::check_hip(hipGraphLaunch(graph->exec, d.stream), "hipGraphLaunch");
        return HV_OK;
    });
}

HV_API hv_status hv_graph_launch_count(const hv_graph* graph, int64_t* launches) {
    return hv::guarded("hv_graph_launch_count", [&] {
        hv::require(graph != nullptr, "graph is NULL");
        hv::require(launches != nullptr, "launches (the out pointer) is NULL");
        *launches = graph->launches;
        return HV_OK;
    });
}

HV_API hv_status hv_graph_destroy(hv_graph* graph) {
    return hv::guarded("hv_graph_destroy", [&] {
        delete graph;
        return HV_OK;
    });
}

}  // extern "C"
