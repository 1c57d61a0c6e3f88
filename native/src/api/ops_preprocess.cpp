// ops_preprocess.cpp: hv_preprocess: validate, compute Pillow's resize coefficients on the host
// (pil_resample.cpp), upload them with the byte -> float table into one scratch allocation, run
// preprocess.hip's passes on the context's stream, wait, free the scratch.
#include <cstring>
#include <string>
#include <vector>

#include "args.h"
#include "boundary.h"
#include "pil_resample.h"
#include "../kernels/convnet.h"
#include "../kernels/storage.h"

namespace {

using hv::bytes_of;
using hv::extent;
using hv::product;
using hv::require;
using hv::require_distinct;

constexpr int64_t kMaxSide = 65535;  // rows travel in grid.y

// Host staging of everything the kernels read besides the image: int32 arrays, then floats, then the
// uint8 intermediate, each at a 256-byte aligned offset of one device allocation.
class Scratch {
public:
    size_t add(const void* data, size_t bytes) {
        const size_t offset = (host_.size() + 255) & ~size_t(255);
        host_.resize(offset + bytes);
        if (data) std::memcpy(host_.data() + offset, data, bytes);
        return offset;
    }
    size_t reserve(size_t bytes) {  // device-only space after everything added; call last
        const size_t offset = (host_.size() + 255) & ~size_t(255);
        device_bytes_ = offset + bytes;
        return offset;
    }
    void upload() {
        const size_t bytes = device_bytes_ > host_.size() ? device_bytes_ : host_.size();
        hv::check_hip(hipMalloc(&device_, bytes), "hipMalloc (preprocess scratch)");
        hv::check_hip(hipMemcpy(device_, host_.data(), host_.size(), hipMemcpyHostToDevice), "hipMemcpy (coefficients)");
    }
    template <class T>
    T* at(size_t offset) const { return reinterpret_cast<T*>(static_cast<unsigned char*>(device_) + offset); }
    ~Scratch() {
        if (device_) (void)hipFree(device_);
    }

private:
    std::vector<unsigned char> host_;
    size_t device_bytes_ = 0;
    void* device_ = nullptr;
};

// Where one axis's arrays sit in the scratch; no arrays: the identity gather.
struct AxisOffsets {
    size_t first = 0, count = 0, weights = 0;
    int stride = 0, out_size = 0;
    enum Kind { kIdentity, kGather, kFilter } kind = kIdentity;
};

AxisOffsets identity(int out_size) {
    AxisOffsets o;
    o.out_size = out_size;
    return o;
}

AxisOffsets gather(Scratch& s, const std::vector<int32_t>& map) {
    AxisOffsets o;
    o.first = s.add(map.data(), map.size() * 4);
    o.out_size = int(map.size());
    o.kind = AxisOffsets::kGather;
    return o;
}

AxisOffsets filter(Scratch& s, const hv::AxisCoefficients& a) {
    AxisOffsets o;
    o.first = s.add(a.first.data(), a.first.size() * 4);
    o.count = s.add(a.count.data(), a.count.size() * 4);
    o.weights = s.add(a.weights.data(), a.weights.size() * 4);
    o.stride = a.stride;
    o.out_size = int(a.first.size());
    o.kind = AxisOffsets::kFilter;
    return o;
}

hv::ResampleAxis device_axis(const Scratch& s, const AxisOffsets& o) {
    switch (o.kind) {
    case AxisOffsets::kGather: return hv::ResampleAxis{s.at<int32_t>(o.first), nullptr, nullptr, 0, o.out_size};
    case AxisOffsets::kFilter:
        return hv::ResampleAxis{s.at<int32_t>(o.first), s.at<int32_t>(o.count), s.at<int32_t>(o.weights), o.stride,
                                o.out_size};
    default: return hv::ResampleAxis{nullptr, nullptr, nullptr, 0, o.out_size};
    }
}

void require_side(int64_t v, const char* name) {
    require(v >= 1 && v <= kMaxSide, std::string(name) + " must be in 1..65535, got " + std::to_string(v));
}

}  // namespace

extern "C" HV_API hv_status hv_preprocess(hv_context* context, const hv_buffer* image, const float* table,
                                          hv_buffer* y, int64_t height, int64_t width, int64_t resize_h,
                                          int64_t resize_w, int64_t crop_top, int64_t crop_left, int64_t out_h,
                                          int64_t out_w, int64_t index, hv_resample resample, hv_layout layout) {
    return hv::guarded("hv_preprocess", [&] {
        const hv::Device& d = hv::device_of(context);
        hv::require_not_capturing(d, "hv_preprocess");
        require(table != nullptr, "table is NULL (768 floats: the value of each byte per channel)");
        require_side(height, "height");
        require_side(width, "width");
        require_side(resize_h, "resize_h");
        require_side(resize_w, "resize_w");
        require_side(out_h, "out_h");
        require_side(out_w, "out_w");
        require(crop_top >= -kMaxSide && crop_top <= kMaxSide, "crop_top must be in -65535..65535");
        require(crop_left >= -kMaxSide && crop_left <= kMaxSide, "crop_left must be in -65535..65535");
        extent("index", index);
        require(resample >= HV_RESAMPLE_NEAREST && resample <= HV_RESAMPLE_HAMMING,
                "resample " + std::to_string(int(resample)) + " is not an hv_resample");
        require(layout == HV_LAYOUT_NCHW || layout == HV_LAYOUT_NHWC,
                "layout " + std::to_string(int(layout)) + " is not an hv_layout");
        require_distinct(y, "y", image, "image");
        const auto* src = static_cast<const uint8_t*>(bytes_of(context, image, "image", height * width * 3));
        const int64_t per_image = 3 * out_h * out_w;
        void* py = hv::elements_of(context, y, "y", product("(index + 1) * 3 * out_h * out_w", {index + 1, per_image}));
        py = static_cast<char*>(py) + index * per_image * int64_t(hv::dtype_size(y->dtype));

        const int h = int(height), w = int(width), rh = int(resize_h), rw = int(resize_w);
        Scratch scratch;
        const size_t table_at = scratch.add(table, 768 * sizeof(float));
        // The output kernel applies `vertical` (filter or gather) and gathers `columns`; a horizontal filter
        // runs first into a uint8 intermediate holding source rows first_row .. first_row + rows - 1.
        AxisOffsets vertical = identity(rh), columns = identity(rw), horizontal = identity(rw);
        int first_row = 0, rows = h;
        size_t intermediate_at = 0;
        const bool copy = rh == h && rw == w;  // Pillow returns a copy
        if (!copy && resample == HV_RESAMPLE_NEAREST) {
            vertical = gather(scratch, hv::pil_nearest_map(h, rh));
            columns = gather(scratch, hv::pil_nearest_map(w, rw));
        } else if (!copy) {
            // Pillow skips the pass of an axis that keeps its size; the horizontal pass computes only the
            // source rows the vertical pass reads.
            if (rh != h) {
                const hv::AxisCoefficients cv = hv::pil_axis_coefficients(h, rh, resample);
                vertical = filter(scratch, cv);
                first_row = cv.first.front();
                rows = cv.first.back() + cv.count.back() - first_row;
            }
            if (rw != w) {
                horizontal = filter(scratch, hv::pil_axis_coefficients(w, rw, resample));
                intermediate_at = scratch.reserve(size_t(rows) * rw * 3);
            }
        }
        scratch.upload();
        hipStream_t stream = d.stream;
        const uint8_t* plane = src;
        int plane_width = w;
        if (horizontal.kind == AxisOffsets::kFilter) {
            uint8_t* intermediate = scratch.at<uint8_t>(intermediate_at);
            hv::check_hip(hv::launch_resample_rows(src, intermediate, w, first_row, rows,
                                                   device_axis(scratch, horizontal), stream),
                          "resample_rows_kernel launch");
            plane = intermediate;
            plane_width = rw;
        }
        hv::check_hip(hv::launch_preprocess_output(y->dtype, plane, scratch.at<float>(table_at), py, plane_width,
                                                   plane == src ? 0 : first_row, device_axis(scratch, vertical),
                                                   device_axis(scratch, columns), int(crop_top), int(crop_left),
                                                   int(out_h), int(out_w), layout == HV_LAYOUT_NCHW, stream),
                      "preprocess_output_kernel launch");
        hv::check_hip(hipStreamSynchronize(stream), "hipStreamSynchronize (before freeing the preprocess scratch)");
        return HV_OK;
    });
}
