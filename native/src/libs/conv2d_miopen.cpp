// conv2d_miopen.cpp: conv2d_vendor.h through MIOpen (HV_GPU=amd, HV_WITH_MIOPEN=ON). Written against MIOpen 3.x's
// miopen.h (ROCm 6.x). Descriptors: x NCHW or NHWC and y NHWC by explicit strides (miopenSet4dTensorDescriptorEx:
// dimensions in NCHW order, the memory order in the strides), the filter as PyTorch stores it (KCRS, packed),
// miopenConvolution mode (cross-correlation, torch's Conv2d), symmetric padding.
// Cold: miopenFindConvolutionForwardAlgorithm on scratch buffers (exhaustiveSearch = false: each applicable solver
// timed with its find-db or default configuration, the MIOpen default; the result lands in MIOpen's own find-db
// too), then the immediate-mode solution of the fastest algorithm (miopenConvolutionForwardGetSolution) is
// compiled; the cache keeps that solution id. Warm: the cached id's workspace is re-checked
// (miopenConvolutionForwardGetSolutionWorkspaceSize) and the solution compiled, with no find. A run is
// miopenConvolutionForwardImmediate, which needs no find in this process.
#include "conv2d_vendor.h"

#include <string>
#include <vector>

#include <miopen/miopen.h>

#include "../api/boundary.h"

namespace hv {

struct VendorConvPlan {
    miopenTensorDescriptor_t x = nullptr, w = nullptr, y = nullptr;
    miopenConvolutionDescriptor_t conv = nullptr;
    ConvShape shape{};
    bool x_nchw = false;
    ~VendorConvPlan() {
        if (conv) (void)miopenDestroyConvolutionDescriptor(conv);
        if (y) (void)miopenDestroyTensorDescriptor(y);
        if (w) (void)miopenDestroyTensorDescriptor(w);
        if (x) (void)miopenDestroyTensorDescriptor(x);
    }
};

namespace {

std::string failed(const char* what, miopenStatus_t s) { return std::string(what) + ": " + miopenGetErrorString(s); }

void check(miopenStatus_t s, const char* what) {
    if (s != miopenStatusSuccess)
        throw Error(s == miopenStatusAllocFailed ? HV_ERROR_OUT_OF_MEMORY : HV_ERROR_DEVICE, failed(what, s));
}

const char* algorithm_name(int algo) {
    switch (algo) {
        case miopenConvolutionAlgoGEMM: return "GEMM";
        case miopenConvolutionAlgoDirect: return "DIRECT";
        case miopenConvolutionAlgoFFT: return "FFT";
        case miopenConvolutionAlgoWinograd: return "WINOGRAD";
        case miopenConvolutionAlgoImplicitGEMM: return "IMPLICIT_GEMM";
        default: return "UNKNOWN";
    }
}

// Device scratch for the find step only (freed before prepare returns).
struct Scratch {
    void* p = nullptr;
    explicit Scratch(size_t bytes) {
        if (bytes > 0) check_hip(hipMalloc(&p, bytes), "hipMalloc (MIOpen find scratch)");
    }
    ~Scratch() {
        if (p) (void)hipFree(p);
    }
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
};

}  // namespace

const char* conv_vendor_name() { return "miopen"; }

std::string conv_vendor_version() {
    size_t major = 0, minor = 0, patch = 0;
    if (miopenGetVersion(&major, &minor, &patch) != miopenStatusSuccess) return "miopen unknown";
    return "miopen " + std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

std::string conv_device_name(int ordinal) {
    hipDeviceProp_t prop{};
    if (hipGetDeviceProperties(&prop, ordinal) != hipSuccess) return "hip device " + std::to_string(ordinal);
    return std::string(prop.name) + " " + prop.gcnArchName;
}

void* conv_vendor_open(hipStream_t stream) {
    miopenHandle_t h = nullptr;
    check(miopenCreateWithStream(&h, stream), "miopenCreateWithStream");
    return h;
}

void conv_vendor_close(void* handle) noexcept {
    if (handle) (void)miopenDestroy(static_cast<miopenHandle_t>(handle));
}

std::shared_ptr<VendorConvPlan> conv_vendor_describe(void*, const ConvShape& s, bool x_nchw, std::string* why) {
    auto p = std::make_shared<VendorConvPlan>();
    p->shape = s;
    p->x_nchw = x_nchw;
    miopenStatus_t st = miopenStatusSuccess;
    auto ok = [&](miopenStatus_t r, const char* what) {
        if (r != miopenStatusSuccess && st == miopenStatusSuccess) {
            st = r;
            *why = failed(what, r);
        }
        return st == miopenStatusSuccess;
    };
    const int hw = s.height * s.width, out_hw = s.out_h * s.out_w;
    const int xs[4] = {x_nchw ? s.in_channels * hw : hw * s.in_channels, x_nchw ? hw : 1,
                       x_nchw ? s.width : s.width * s.in_channels, x_nchw ? 1 : s.in_channels};
    if (!(ok(miopenCreateTensorDescriptor(&p->x), "miopenCreateTensorDescriptor") &&
          ok(miopenCreateTensorDescriptor(&p->w), "miopenCreateTensorDescriptor") &&
          ok(miopenCreateTensorDescriptor(&p->y), "miopenCreateTensorDescriptor") &&
          ok(miopenCreateConvolutionDescriptor(&p->conv), "miopenCreateConvolutionDescriptor") &&
          ok(miopenSet4dTensorDescriptorEx(p->x, miopenFloat, s.batch, s.in_channels, s.height, s.width, xs[0], xs[1],
                                           xs[2], xs[3]),
             "miopenSet4dTensorDescriptorEx (x)") &&
          ok(miopenSet4dTensorDescriptor(p->w, miopenFloat, s.out_channels, s.in_channels, s.kernel_h, s.kernel_w),
             "miopenSet4dTensorDescriptor (w)") &&
          ok(miopenSet4dTensorDescriptorEx(p->y, miopenFloat, s.batch, s.out_channels, s.out_h, s.out_w,
                                           out_hw * s.out_channels, 1, s.out_w * s.out_channels, s.out_channels),
             "miopenSet4dTensorDescriptorEx (y)") &&
          ok(miopenInitConvolutionDescriptor(p->conv, miopenConvolution, s.pad_top, s.pad_left, s.stride_h,
                                             s.stride_w, 1, 1),
             "miopenInitConvolutionDescriptor")))
        return nullptr;
    int n = 0, c = 0, h = 0, w = 0;
    if (!ok(miopenGetConvolutionForwardOutputDim(p->conv, p->x, p->w, &n, &c, &h, &w),
            "miopenGetConvolutionForwardOutputDim"))
        return nullptr;
    if (n != s.batch || c != s.out_channels || h != s.out_h || w != s.out_w) {
        *why = "MIOpen's output " + std::to_string(h) + "x" + std::to_string(w) + " differs from " +
               std::to_string(s.out_h) + "x" + std::to_string(s.out_w);
        return nullptr;
    }
    return p;
}

bool conv_vendor_find(void* handle, VendorConvPlan& p, TuningEntry* chosen, std::string* why) {
    auto h = static_cast<miopenHandle_t>(handle);
    const ConvShape& s = p.shape;
    size_t find_ws = 0;
    miopenStatus_t st = miopenConvolutionForwardGetWorkSpaceSize(h, p.w, p.x, p.conv, p.y, &find_ws);
    if (st != miopenStatusSuccess) {
        *why = failed("miopenConvolutionForwardGetWorkSpaceSize", st);
        return false;
    }
    const size_t f = sizeof(float);
    Scratch x(size_t(s.batch) * s.in_channels * s.height * s.width * f);
    Scratch w(size_t(s.out_channels) * s.in_channels * s.kernel_h * s.kernel_w * f);
    Scratch y(size_t(s.batch) * s.out_channels * s.out_h * s.out_w * f);
    Scratch ws(find_ws);
    constexpr int kRequest = 8;
    miopenConvAlgoPerf_t perf[kRequest] = {};
    int returned = 0;
    st = miopenFindConvolutionForwardAlgorithm(h, p.x, x.p, p.w, w.p, p.conv, p.y, y.p, kRequest, &returned, perf,
                                               ws.p, find_ws, false);
    if (st != miopenStatusSuccess || returned < 1) {
        *why = st != miopenStatusSuccess ? failed("miopenFindConvolutionForwardAlgorithm", st)
                                         : "miopenFindConvolutionForwardAlgorithm found no algorithm";
        return false;
    }
    const int best = int(perf[0].fwd_algo);  // sorted fastest first

    size_t count = 0;
    st = miopenConvolutionForwardGetSolutionCount(h, p.w, p.x, p.conv, p.y, &count);
    if (st != miopenStatusSuccess || count == 0) {
        *why = st != miopenStatusSuccess ? failed("miopenConvolutionForwardGetSolutionCount", st)
                                         : "no immediate-mode solution";
        return false;
    }
    std::vector<miopenConvSolution_t> solutions(count);
    size_t listed = 0;
    st = miopenConvolutionForwardGetSolution(h, p.w, p.x, p.conv, p.y, count, &listed, solutions.data());
    if (st != miopenStatusSuccess) {
        *why = failed("miopenConvolutionForwardGetSolution", st);
        return false;
    }
    const miopenConvSolution_t* pick = nullptr;  // the find's fastest algorithm, else the fastest solution listed
    for (size_t i = 0; i < listed && !pick; ++i)
        if (int(solutions[i].algorithm) == best) pick = &solutions[i];
    if (!pick && listed > 0) pick = &solutions[0];
    if (!pick) {
        *why = "miopenConvolutionForwardGetSolution listed no solution";
        return false;
    }
    st = miopenConvolutionForwardCompileSolution(h, p.w, p.x, p.conv, p.y, pick->solution_id);
    if (st != miopenStatusSuccess) {
        *why = failed("miopenConvolutionForwardCompileSolution", st);
        return false;
    }
    const bool same = int(pick->algorithm) == best;
    *chosen = TuningEntry{std::string("miopen:") + algorithm_name(int(pick->algorithm)), int64_t(pick->solution_id),
                          uint64_t(pick->workspace_size), double(same ? perf[0].time : pick->time), ""};
    return true;
}

bool conv_vendor_load(void* handle, VendorConvPlan& p, const TuningEntry& chosen, std::string* why) {
    auto h = static_cast<miopenHandle_t>(handle);
    size_t bytes = 0;
    miopenStatus_t st =
        miopenConvolutionForwardGetSolutionWorkspaceSize(h, p.w, p.x, p.conv, p.y, uint64_t(chosen.id), &bytes);
    if (st != miopenStatusSuccess) {
        *why = failed("miopenConvolutionForwardGetSolutionWorkspaceSize", st);
        return false;
    }
    if (bytes > chosen.workspace_bytes) {
        *why = "needs " + std::to_string(bytes) + " B of workspace, the cache says " +
               std::to_string(chosen.workspace_bytes);
        return false;
    }
    st = miopenConvolutionForwardCompileSolution(h, p.w, p.x, p.conv, p.y, uint64_t(chosen.id));
    if (st != miopenStatusSuccess) {
        *why = failed("miopenConvolutionForwardCompileSolution", st);
        return false;
    }
    return true;
}

void conv_vendor_forward(void* handle, const VendorConvPlan& p, const TuningEntry& chosen, const float* x,
                         const float* w, float* y, void* workspace) {
    check(miopenConvolutionForwardImmediate(static_cast<miopenHandle_t>(handle), p.w, w, p.x, x, p.conv, p.y, y,
                                            workspace, size_t(chosen.workspace_bytes), uint64_t(chosen.id)),
          "miopenConvolutionForwardImmediate");
}

}  // namespace hv
