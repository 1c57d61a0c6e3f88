// conv2d_dense.cpp: see conv2d_dense.h. The vendor calls are in conv2d_vendor.h's files; this file decides per
// shape, owns the scratch, and keeps the report.
#include "conv2d_dense.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>
#include <vector>

#include "conv2d_vendor.h"
#include "tuning_cache.h"
#include "../api/boundary.h"
#include "../api/handles.h"
#include "../kernels/kernels.h"

namespace hv {
namespace {

// hipMalloc'd bytes freed with the owner (the context's device is current whenever a context frees its state).
class DeviceMemory {
public:
    DeviceMemory() = default;
    explicit DeviceMemory(size_t bytes) {
        if (bytes > 0) check_hip(hipMalloc(&p_, bytes), "hipMalloc (conv2d scratch)");
    }
    ~DeviceMemory() {
        if (p_) (void)hipFree(p_);
    }
    DeviceMemory(const DeviceMemory&) = delete;
    DeviceMemory& operator=(const DeviceMemory&) = delete;
    DeviceMemory(DeviceMemory&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
    DeviceMemory& operator=(DeviceMemory&& o) noexcept {
        std::swap(p_, o.p_);
        return *this;
    }
    void* get() const { return p_; }
    float* floats() const { return static_cast<float*>(p_); }

private:
    void* p_ = nullptr;
};

std::string conv_key(const ConvShape& s, bool x_nchw) {
    return tuning_key("conv2d",
                      {s.batch, s.in_channels, s.height, s.width, s.out_channels, s.kernel_h, s.kernel_w, s.stride_h,
                       s.stride_w, s.pad_top, s.pad_left, s.out_h, s.out_w},
                      "fp32", x_nchw ? "nchw" : "nhwc");
}

struct ConvChoice {
    VendorProblem problem;  // conv2d_vendor.h
    bool vendor = false;  // false: the direct kernel
    Tuning tuning = Tuning::none;  // what the latest prepare of this shape did (a repeat on this context: warm)
    bool found_now = false;        // the find step ran in this process (for the report)
    TuningEntry entry;
    std::shared_ptr<VendorConvPlan> plan;
    DeviceMemory identity, padded, workspace;
};

}  // namespace

struct ConvState {
    std::mutex mutex;
    int ordinal = 0;
    hipStream_t stream = nullptr;
    void* vendor = nullptr;      // opened by the first vendor prepare (loading cuDNN/MIOpen costs time)
    std::string vendor_error;    // why it could not be opened: every shape then runs the direct kernel
    std::string cache_dir;
    std::unique_ptr<TuningCache> cache;  // on the first vendor prepare (the device name is asked for then)
    std::map<std::string, std::unique_ptr<ConvChoice>> choices;
    std::vector<std::string> order;      // keys in prepare order, for the report
    ~ConvState() {
        choices.clear();  // scratch and descriptors before the handle
        conv_vendor_close(vendor);
    }
};

void conv_open(Device& d, const std::string& tuning_cache_dir) {
    auto state = std::make_shared<ConvState>();
    state->ordinal = d.ordinal;
    state->cache_dir = tuning_cache_dir;
    state->stream = d.stream;
    d.conv = std::move(state);
}

void conv_close(Device& d) noexcept { d.conv.reset(); }

namespace {

ConvChoice& prepare_locked(ConvState& st, const ConvShape& s, bool x_nchw) {
    const std::string key = conv_key(s, x_nchw);
    if (auto it = st.choices.find(key); it != st.choices.end()) {
        if (it->second->tuning == Tuning::cold) it->second->tuning = Tuning::warm;  // this time it is remembered
        return *it->second;
    }
    auto c = std::make_unique<ConvChoice>();
    c->problem = vendor_problem(s, x_nchw);
    c->entry = TuningEntry{"direct", -1, 0, 0, ""};
    // 1x1 convolutions stay on the direct kernel: the plans use them only as the NCHW -> NHWC identity transpose,
    // which the direct kernel does exactly (a vendor's algorithm choice could round), and real pointwise convs are
    // hv_linear GEMMs.
    const bool vendor_shape = s.kernel_h * s.kernel_w > 1;
    if (*conv_vendor_name() && vendor_shape && !st.vendor && st.vendor_error.empty()) {
        try {
            st.vendor = conv_vendor_open(st.stream);
        } catch (const std::exception& e) {
            st.vendor_error = e.what();
        }
    }
    if (*conv_vendor_name() && !vendor_shape) {
        c->entry.note = "1x1: the direct kernel";
    } else if (*conv_vendor_name() && !st.vendor) {
        c->entry.note = std::string(conv_vendor_name()) + " unavailable: " + st.vendor_error;
    } else if (*conv_vendor_name()) {
        std::string why;
        c->plan = conv_vendor_describe(st.vendor, c->problem.shape, c->problem.x_nchw, &why);
        if (!st.cache)
            st.cache = std::make_unique<TuningCache>(st.cache_dir, conv_device_name(st.ordinal), conv_vendor_version());
        bool from_cache = false;
        TuningEntry e = st.cache->find(
            key,
            [&] {
                TuningEntry found;
                std::string reason = why;
                if (c->plan && conv_vendor_find(st.vendor, *c->plan, &found, &reason)) return found;
                return TuningEntry{"direct", -1, 0, 0, std::string(conv_vendor_name()) + " declined: " + reason};
            },
            &from_cache);
        c->tuning = from_cache ? Tuning::warm : Tuning::cold;
        c->found_now = !from_cache;
        if (e.algorithm != "direct") {
            std::string refused;
            if (!c->plan)
                e = TuningEntry{"direct", -1, 0, 0, "cached " + e.algorithm + " not describable: " + why};
            else if (from_cache && !conv_vendor_load(st.vendor, *c->plan, e, &refused))
                e = TuningEntry{"direct", -1, 0, 0, "cached " + e.algorithm + " refused: " + refused};
            else
                c->vendor = true;
        }
        c->entry = e;
    }
    if (c->vendor) {
        const ConvShape& p = c->problem.pad;
        c->workspace = DeviceMemory(size_t(c->entry.workspace_bytes));
        if (c->problem.pad_first) {
            std::vector<float> eye(size_t(p.in_channels) * size_t(p.in_channels), 0.0f);
            for (int i = 0; i < p.in_channels; ++i) eye[size_t(i) * size_t(p.in_channels) + size_t(i)] = 1.0f;
            c->identity = DeviceMemory(eye.size() * sizeof(float));
            check_hip(hipMemcpy(c->identity.get(), eye.data(), eye.size() * sizeof(float), hipMemcpyHostToDevice),
                      "hipMemcpy (conv2d identity weight)");
            c->padded = DeviceMemory(size_t(p.batch) * size_t(p.out_h) * size_t(p.out_w) * size_t(p.in_channels) *
                                     sizeof(float));
        }
    }
    st.order.push_back(key);
    return *(st.choices[key] = std::move(c));
}

}  // namespace

Tuning conv2d_prepare(const Device& d, const ConvShape& s, bool x_nchw) {
    ConvState& st = *d.conv;
    std::lock_guard<std::mutex> lock(st.mutex);
    return prepare_locked(st, s, x_nchw).tuning;
}

void conv2d_dense(const Device& d, hv_dtype dtype, const void* x, const void* weight, const void* bias, void* y,
                  const ConvShape& s, bool x_nchw, int activation) {
    ConvState& st = *d.conv;
    const ConvChoice* c = nullptr;
    if (*conv_vendor_name() && dtype == HV_DTYPE_FLOAT32) {
        std::lock_guard<std::mutex> lock(st.mutex);
        if (auto it = st.choices.find(conv_key(s, x_nchw)); it != st.choices.end())
            c = it->second.get();
        else if (!d.capturing)
            c = &prepare_locked(st, s, x_nchw);
    }
    if (!c || !c->vendor) {
        check_hip(launch_conv2d_direct(dtype, x, weight, bias, y, s, x_nchw, activation, d.stream),
                  "conv2d_direct_kernel launch");
        return;
    }
    const float* vx = static_cast<const float*>(x);
    if (c->problem.pad_first) {
        check_hip(launch_conv2d_direct(HV_DTYPE_FLOAT32, x, c->identity.floats(), nullptr, c->padded.floats(),
                                       c->problem.pad, x_nchw, HV_ACTIVATION_NONE, d.stream),
                  "conv2d_direct_kernel launch (padding for the vendor)");
        vx = c->padded.floats();
    }
    conv_vendor_forward(st.vendor, *c->plan, c->entry, vx, static_cast<const float*>(weight), static_cast<float*>(y),
                        c->workspace.get());
    if (bias || activation != HV_ACTIVATION_NONE) {
        const int64_t rows = int64_t(s.batch) * s.out_h * s.out_w;
        check_hip(launch_bias_act(HV_DTYPE_FLOAT32, y, bias, y, 1, rows, s.out_channels, rows * s.out_channels,
                                  activation, d.stream),
                  "bias_act_kernel launch");
    }
}

std::string conv2d_report(const Device& d) {
    ConvState& st = *d.conv;
    std::lock_guard<std::mutex> lock(st.mutex);
    std::string text;
    for (const std::string& key : st.order) {
        const ConvChoice& c = *st.choices.at(key);
        char line[160];
        if (c.vendor)
            std::snprintf(line, sizeof line, " %.4g ms, %llu B workspace%s%s", c.entry.time_ms,
                          static_cast<unsigned long long>(c.entry.workspace_bytes),
                          c.problem.pad_first ? ", padding copied first" : "",
                          c.found_now ? ", tuned now" : ", from cache");
        else
            line[0] = '\0';
        text += key + ": " + c.entry.algorithm + line + (c.entry.note.empty() ? "" : " (" + c.entry.note + ")") + "\n";
    }
    if (st.cache)
        for (const std::string& w : st.cache->warnings()) text += w + "\n";
    return text;
}

}  // namespace hv
