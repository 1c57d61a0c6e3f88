// conv2d_novendor.cpp: conv2d_vendor.h for a build without MIOpen or cuDNN (the emulator, or HV_WITH_MIOPEN /
// HV_WITH_CUDNN off): no handle, and conv2d_dense never asks for more (conv_vendor_name() is "").
#include "conv2d_vendor.h"

#include "../api/boundary.h"

namespace hv {

struct VendorConvPlan {};

const char* conv_vendor_name() { return ""; }

std::string conv_vendor_version() { return ""; }

std::string conv_device_name(int ordinal) { return "device " + std::to_string(ordinal); }

void* conv_vendor_open(hipStream_t) { return nullptr; }

void conv_vendor_close(void*) noexcept {}

std::shared_ptr<VendorConvPlan> conv_vendor_describe(void*, const ConvShape&, bool, std::string* why) {
    *why = "no vendor convolution library in this build";
    return nullptr;
}

bool conv_vendor_find(void*, VendorConvPlan&, TuningEntry*, std::string* why) {
    *why = "no vendor convolution library in this build";
    return false;
}

bool conv_vendor_load(void*, VendorConvPlan&, const TuningEntry&, std::string* why) {
    *why = "no vendor convolution library in this build";
    return false;
}

void conv_vendor_forward(void*, const VendorConvPlan&, const TuningEntry&, const float*, const float*, float*, void*) {
    throw Error(HV_ERROR_INTERNAL, "conv_vendor_forward called in a build without a vendor convolution library");
}

}  // namespace hv
