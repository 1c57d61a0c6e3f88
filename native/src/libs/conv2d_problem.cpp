// conv2d_problem.cpp: vendor_problem (conv2d_vendor.h), the padding rule shared by both vendor paths. GPU-free, so
// the native tests compile it in and check it against the direct kernel.
#include <algorithm>

#include "conv2d_vendor.h"

namespace hv {
namespace {

// A symmetric padding of `pad` on both sides gives `out` outputs (the extra after-padding is never read).
bool symmetric_fits(int in, int pad, int k, int stride, int out) {
    const int span = in + 2 * pad - k;
    return span >= 0 && span / stride + 1 == out;
}

}  // namespace

VendorProblem vendor_problem(const ConvShape& s, bool x_nchw) {
    if (symmetric_fits(s.height, s.pad_top, s.kernel_h, s.stride_h, s.out_h) &&
        symmetric_fits(s.width, s.pad_left, s.kernel_w, s.stride_w, s.out_w))
        return VendorProblem{s, x_nchw, false, {}};
    // The vendor reads rows -pad_top .. need_h - pad_top - 1; rows past the image are the padding's zeros.
    const int need_h = (s.out_h - 1) * s.stride_h + s.kernel_h, need_w = (s.out_w - 1) * s.stride_w + s.kernel_w;
    const int padded_h = s.height + s.pad_top + std::max(0, need_h - s.height - s.pad_top);
    const int padded_w = s.width + s.pad_left + std::max(0, need_w - s.width - s.pad_left);
    const ConvShape pad{s.batch, s.height, s.width, s.in_channels, s.in_channels, 1, 1, 1, 1, s.pad_top, s.pad_left,
                        padded_h, padded_w};
    ConvShape v = s;
    v.height = padded_h;
    v.width = padded_w;
    v.pad_top = v.pad_left = 0;
    return VendorProblem{v, false, true, pad};
}

}  // namespace hv
