// conv2d_cudnn.cpp: conv2d_vendor.h through cuDNN's convolution API (HV_GPU=nvidia, HV_WITH_CUDNN=ON). Written
// against cuDNN 9's cudnn_cnn.h / cudnn_ops.h (the legacy descriptor API, still shipped in 9.x; 8.x has the same
// calls). Descriptors: x NCHW or NHWC by format (CUDNN_TENSOR_NCHW / _NHWC, the library derives the strides), the
// filter as PyTorch stores it (KCRS: CUDNN_TENSOR_NCHW), y NHWC, cross-correlation (torch's Conv2d), fp32 compute.
// Math type CUDNN_FMA_MATH: no TF32 tensor-core rounding, so fp32 results stay within the library's 1e-4/1e-3
// tolerance of the float64 reference; find results that report a tensor-op math type are skipped for the same
// reason. The find step is cudnnFindConvolutionForwardAlgorithm (it allocates its own scratch and times every
// algorithm); the cache keeps the algorithm's enum value, which cudnnGetConvolutionForwardWorkspaceSize re-checks.
#include "conv2d_vendor.h"

#include <string>
#include <vector>

#include <cudnn.h>

#include "../api/boundary.h"

namespace hv {

struct VendorConvPlan {
    cudnnTensorDescriptor_t x = nullptr, y = nullptr;
    cudnnFilterDescriptor_t w = nullptr;
    cudnnConvolutionDescriptor_t conv = nullptr;
    ~VendorConvPlan() {
        if (conv) (void)cudnnDestroyConvolutionDescriptor(conv);
        if (w) (void)cudnnDestroyFilterDescriptor(w);
        if (y) (void)cudnnDestroyTensorDescriptor(y);
        if (x) (void)cudnnDestroyTensorDescriptor(x);
    }
};

namespace {

std::string failed(const char* what, cudnnStatus_t s) { return std::string(what) + ": " + cudnnGetErrorString(s); }

void check(cudnnStatus_t s, const char* what) {
    if (s != CUDNN_STATUS_SUCCESS) throw Error(HV_ERROR_DEVICE, failed(what, s));
}

const char* algorithm_name(int algo) {
    static const char* const names[] = {"IMPLICIT_GEMM", "IMPLICIT_PRECOMP_GEMM", "GEMM",     "DIRECT",
                                        "FFT",           "FFT_TILING",            "WINOGRAD", "WINOGRAD_NONFUSED"};
    return algo >= 0 && algo < int(sizeof names / sizeof names[0]) ? names[algo] : "UNKNOWN";
}

}  // namespace

const char* conv_vendor_name() { return "cudnn"; }

std::string conv_vendor_version() { return "cudnn " + std::to_string(cudnnGetVersion()); }

std::string conv_device_name(int ordinal) {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, ordinal) != cudaSuccess) return "cuda device " + std::to_string(ordinal);
    return std::string(prop.name) + " sm_" + std::to_string(prop.major) + std::to_string(prop.minor);
}

void* conv_vendor_open(hipStream_t stream) {
    cudnnHandle_t h = nullptr;
    check(cudnnCreate(&h), "cudnnCreate");
    const cudnnStatus_t s = cudnnSetStream(h, stream);
    if (s != CUDNN_STATUS_SUCCESS) {
        (void)cudnnDestroy(h);
        check(s, "cudnnSetStream");
    }
    return h;
}

void conv_vendor_close(void* handle) noexcept {
    if (handle) (void)cudnnDestroy(static_cast<cudnnHandle_t>(handle));
}

std::shared_ptr<VendorConvPlan> conv_vendor_describe(void*, const ConvShape& s, bool x_nchw, std::string* why) {
    auto p = std::make_shared<VendorConvPlan>();
    cudnnStatus_t st = CUDNN_STATUS_SUCCESS;
    auto ok = [&](cudnnStatus_t r, const char* what) {
        if (r != CUDNN_STATUS_SUCCESS && st == CUDNN_STATUS_SUCCESS) {
            st = r;
            *why = failed(what, r);
        }
        return st == CUDNN_STATUS_SUCCESS;
    };
    if (ok(cudnnCreateTensorDescriptor(&p->x), "cudnnCreateTensorDescriptor") &&
        ok(cudnnCreateTensorDescriptor(&p->y), "cudnnCreateTensorDescriptor") &&
        ok(cudnnCreateFilterDescriptor(&p->w), "cudnnCreateFilterDescriptor") &&
        ok(cudnnCreateConvolutionDescriptor(&p->conv), "cudnnCreateConvolutionDescriptor") &&
        ok(cudnnSetTensor4dDescriptor(p->x, x_nchw ? CUDNN_TENSOR_NCHW : CUDNN_TENSOR_NHWC, CUDNN_DATA_FLOAT, s.batch,
                                      s.in_channels, s.height, s.width),
           "cudnnSetTensor4dDescriptor (x)") &&
        ok(cudnnSetFilter4dDescriptor(p->w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, s.out_channels, s.in_channels,
                                      s.kernel_h, s.kernel_w),
           "cudnnSetFilter4dDescriptor") &&
        ok(cudnnSetConvolution2dDescriptor(p->conv, s.pad_top, s.pad_left, s.stride_h, s.stride_w, 1, 1,
                                           CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
           "cudnnSetConvolution2dDescriptor") &&
        ok(cudnnSetConvolutionMathType(p->conv, CUDNN_FMA_MATH), "cudnnSetConvolutionMathType") &&
        ok(cudnnSetTensor4dDescriptor(p->y, CUDNN_TENSOR_NHWC, CUDNN_DATA_FLOAT, s.batch, s.out_channels, s.out_h,
                                      s.out_w),
           "cudnnSetTensor4dDescriptor (y)")) {
        int n = 0, c = 0, h = 0, w = 0;
        if (!ok(cudnnGetConvolution2dForwardOutputDim(p->conv, p->x, p->w, &n, &c, &h, &w),
                "cudnnGetConvolution2dForwardOutputDim"))
            return nullptr;
        if (n != s.batch || c != s.out_channels || h != s.out_h || w != s.out_w) {
            *why = "cuDNN's output " + std::to_string(h) + "x" + std::to_string(w) + " differs from " +
                   std::to_string(s.out_h) + "x" + std::to_string(s.out_w);
            return nullptr;
        }
        return p;
    }
    return nullptr;
}

bool conv_vendor_find(void* handle, VendorConvPlan& p, TuningEntry* chosen, std::string* why) {
    auto h = static_cast<cudnnHandle_t>(handle);
    int max_count = 0;
    cudnnStatus_t s = cudnnGetConvolutionForwardAlgorithmMaxCount(h, &max_count);
    if (s != CUDNN_STATUS_SUCCESS || max_count <= 0) {
        *why = failed("cudnnGetConvolutionForwardAlgorithmMaxCount", s);
        return false;
    }
    std::vector<cudnnConvolutionFwdAlgoPerf_t> perf(static_cast<size_t>(max_count));
    int returned = 0;
    s = cudnnFindConvolutionForwardAlgorithm(h, p.x, p.w, p.conv, p.y, max_count, &returned, perf.data());
    if (s != CUDNN_STATUS_SUCCESS) {
        *why = failed("cudnnFindConvolutionForwardAlgorithm", s);
        return false;
    }
    for (int i = 0; i < returned; ++i) {  // sorted fastest first
        const cudnnConvolutionFwdAlgoPerf_t& r = perf[size_t(i)];
        if (r.status != CUDNN_STATUS_SUCCESS || r.mathType == CUDNN_TENSOR_OP_MATH ||
            r.mathType == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION)
            continue;
        *chosen = TuningEntry{std::string("cudnn:") + algorithm_name(int(r.algo)), int64_t(r.algo),
                              uint64_t(r.memory), double(r.time), ""};
        return true;
    }
    *why = "cudnnFindConvolutionForwardAlgorithm returned no fp32 (FMA) algorithm for this shape (" +
           std::to_string(returned) + " tried)";
    return false;
}

bool conv_vendor_load(void* handle, VendorConvPlan& p, const TuningEntry& chosen, std::string* why) {
    if (chosen.id < 0 || chosen.id >= CUDNN_CONVOLUTION_FWD_ALGO_COUNT) {
        *why = "algorithm id " + std::to_string(chosen.id) + " is not a cudnnConvolutionFwdAlgo_t";
        return false;
    }
    size_t bytes = 0;
    const cudnnStatus_t s = cudnnGetConvolutionForwardWorkspaceSize(
        static_cast<cudnnHandle_t>(handle), p.x, p.w, p.conv, p.y, cudnnConvolutionFwdAlgo_t(chosen.id), &bytes);
    if (s != CUDNN_STATUS_SUCCESS) {
        *why = failed("cudnnGetConvolutionForwardWorkspaceSize", s);
        return false;
    }
    if (bytes > chosen.workspace_bytes) {
        *why = "needs " + std::to_string(bytes) + " B of workspace, the cache says " +
               std::to_string(chosen.workspace_bytes);
        return false;
    }
    return true;
}

void conv_vendor_forward(void* handle, const VendorConvPlan& p, const TuningEntry& chosen, const float* x,
                         const float* w, float* y, void* workspace) {
    const float alpha = 1.0f, beta = 0.0f;
    check(cudnnConvolutionForward(static_cast<cudnnHandle_t>(handle), &alpha, p.x, x, p.w, w, p.conv,
                                  cudnnConvolutionFwdAlgo_t(chosen.id), workspace, size_t(chosen.workspace_bytes),
                                  &beta, p.y, y),
          "cudnnConvolutionForward");
}

}  // namespace hv
