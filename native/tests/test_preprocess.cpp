// test_preprocess.cpp: hv_preprocess against the C++ port of PilResize.cs (pil_reference.cpp) on fresh
// random images, at warp 32 and 64: every Pillow filter, up- and down-scaling, odd sizes, one-axis resizes
// (Pillow skips the other pass), same size, 1×1 images, ViT's resize + center crop, a crop larger than the
// image (HF pads with byte 0), NHWC, a batch slot. NEAREST must match exactly; the filters to 1e-6 after
// normalisation (the bytes should match exactly too; 1e-6 is the stated bound).
#include <cstdio>
#include <string>

#include "device.h"
#include "pil_reference.h"
#include "reference.h"

namespace {

const float kMean[3] = {0.485f, 0.456f, 0.406f};
const float kStd[3] = {0.229f, 0.224f, 0.225f};

hvt::RgbImage random_image(int width, int height) {
    hvt::RgbImage img{width, height, std::vector<uint8_t>(size_t(width) * height * 3)};
    std::uniform_int_distribution<int> byte(0, 255);
    // Smooth gradients plus noise: pure noise would hide a misplaced tap less often than structure does.
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            for (int c = 0; c < 3; ++c) {
                const int ramp = (x * 255 / (width > 1 ? width - 1 : 1) + y * 97 / (height > 1 ? height - 1 : 1) + 60 * c) % 256;
                const int v = (ramp + byte(hvt::rng()) / 4 - 32);
                img.pixels[(size_t(y) * width + x) * 3 + c] = uint8_t(v < 0 ? 0 : v > 255 ? 255 : v);
            }
    if (width * height > 4)  // saturated pixels exercise clip8 with bicubic/lanczos overshoot
        for (int k = 0; k < 3; ++k) img.pixels[size_t(byte(hvt::rng())) % img.pixels.size()] = uint8_t(k % 2 ? 255 : 0);
    return img;
}

struct Case {
    int width, height, resize_w, resize_h;
    hv_resample mode;
    int top = 0, left = 0, out_h = 0, out_w = 0;  // 0: no crop (the resized size)
    bool nhwc = false;
    int index = 0;
};

const char* mode_name(hv_resample m) {
    const char* names[] = {"nearest", "lanczos", "bilinear", "bicubic", "box", "hamming"};
    return names[int(m)];
}

void preprocess_case(int warp, Case c) {
    if (c.out_h == 0) c.out_h = c.resize_h;
    if (c.out_w == 0) c.out_w = c.resize_w;
    hvt::Context ctx(warp);
    const hvt::RgbImage img = random_image(c.width, c.height);
    const std::vector<float> table = hvt::hf_value_table(1.0 / 255.0, kMean, kStd);
    const size_t per_image = size_t(3) * c.out_h * c.out_w, total = per_image * (c.index + 1);

    hv_buffer* image = nullptr;
    HV_EXPECT_OK(hv_buffer_alloc(ctx.get(), img.pixels.size(), &image));
    HV_EXPECT_OK(hv_buffer_upload(image, 0, img.pixels.data(), img.pixels.size()));
    const float sentinel = -1234.5f;
    hvt::Buffer y(ctx, std::vector<float>(total, sentinel));
    HV_EXPECT_OK(hv_preprocess(ctx.get(), image, table.data(), y.get(), c.height, c.width, c.resize_h, c.resize_w,
                               c.top, c.left, c.out_h, c.out_w, c.index, c.mode,
                               c.nhwc ? HV_LAYOUT_NHWC : HV_LAYOUT_NCHW));
    hv_buffer_free(image);

    const hvt::RgbImage resized = hvt::pil_resize(img, c.resize_w, c.resize_h, c.mode);
    const std::vector<float> want_f = hvt::crop_and_map(resized, table, c.top, c.left, c.out_h, c.out_w, !c.nhwc);
    const std::vector<float> all = y.download(total);
    const std::vector<float> got(all.begin() + std::ptrdiff_t(per_image * c.index), all.end());
    for (size_t i = 0; i < per_image * c.index; ++i)
        if (all[i] != sentinel) {
            HV_CHECK(all[i] == sentinel) << "hv_preprocess wrote outside slot " << c.index << " at " << i;
            break;
        }
    char label[192];
    std::snprintf(label, sizeof label, "preprocess warp %d %dx%d -> %dx%d %s crop (%d,%d) %dx%d %s slot %d",
                  ctx.warp_size(), c.width, c.height, c.resize_w, c.resize_h, mode_name(c.mode), c.top, c.left,
                  c.out_w, c.out_h, c.nhwc ? "NHWC" : "NCHW", c.index);
    const double atol = c.mode == HV_RESAMPLE_NEAREST ? 0.0 : 1e-6;
    if (hvt::expect_close(label, got, std::vector<double>(want_f.begin(), want_f.end()), atol, 0.0))
        std::printf("  %s: ok\n", label);
}

}  // namespace

HV_TEST(preprocess_upscale_and_downscale) {
    for (int warp : hvt::warp_sizes()) {
        preprocess_case(warp, {37, 23, 224, 224, HV_RESAMPLE_BILINEAR});
        preprocess_case(warp, {333, 517, 64, 48, HV_RESAMPLE_BICUBIC});
        preprocess_case(warp, {64, 48, 600, 600, HV_RESAMPLE_BICUBIC});
        preprocess_case(warp, {101, 77, 13, 29, HV_RESAMPLE_NEAREST});
        preprocess_case(warp, {31, 19, 600, 600, HV_RESAMPLE_NEAREST});
        preprocess_case(warp, {97, 64, 33, 20, HV_RESAMPLE_LANCZOS});
        preprocess_case(warp, {64, 64, 7, 9, HV_RESAMPLE_BOX});
        preprocess_case(warp, {45, 37, 70, 12, HV_RESAMPLE_HAMMING});
    }
}

HV_TEST(preprocess_one_axis_same_size_and_tiny) {
    for (int warp : hvt::warp_sizes()) {
        preprocess_case(warp, {50, 40, 30, 40, HV_RESAMPLE_LANCZOS});
        preprocess_case(warp, {50, 40, 50, 17, HV_RESAMPLE_BICUBIC});
        preprocess_case(warp, {50, 40, 50, 97, HV_RESAMPLE_BILINEAR});
        preprocess_case(warp, {31, 17, 31, 17, HV_RESAMPLE_BICUBIC});
        preprocess_case(warp, {1, 1, 5, 3, HV_RESAMPLE_BICUBIC});
        preprocess_case(warp, {5, 3, 1, 1, HV_RESAMPLE_BILINEAR});
        preprocess_case(warp, {5, 3, 1, 1, HV_RESAMPLE_NEAREST});
    }
}

HV_TEST(preprocess_crop_layout_and_slot) {
    for (int warp : hvt::warp_sizes()) {
        // ViT: shortest edge 256 then center crop 224 (top (256 − 224) / 2, left (341 − 224) / 2).
        preprocess_case(warp, {500, 375, 341, 256, HV_RESAMPLE_BILINEAR, 16, 58, 224, 224});
        // A crop larger than the image: HF pads with byte 0 first, here negative offsets.
        Case pad{31, 17, 31, 17, HV_RESAMPLE_BICUBIC, -2, -3, 21, 37};
        pad.nhwc = true;
        pad.index = 1;
        preprocess_case(warp, pad);
        Case nearest{40, 30, 20, 25, HV_RESAMPLE_NEAREST, 3, 1, 19, 17};
        nearest.index = 2;
        preprocess_case(warp, nearest);
    }
}

HV_TEST(preprocess_rejects_bad_arguments) {
    hvt::Context ctx;
    hvt::Buffer image(ctx, 3 * 4 * 4 / 4), y(ctx, 3 * 8 * 8);
    const std::vector<float> table(768, 0.0f);
    HV_CHECK(hv_preprocess(ctx.get(), image.get(), nullptr, y.get(), 4, 4, 8, 8, 0, 0, 8, 8, 0, HV_RESAMPLE_BILINEAR,
                           HV_LAYOUT_NCHW) == HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(std::string(hv_last_error()).find("hv_preprocess: table is NULL") != std::string::npos) << hv_last_error();
    HV_CHECK(hv_preprocess(ctx.get(), image.get(), table.data(), y.get(), 4, 5, 8, 8, 0, 0, 8, 8, 0,
                           HV_RESAMPLE_BILINEAR, HV_LAYOUT_NCHW) == HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(std::string(hv_last_error()).find("image holds 48 bytes, needs 60") != std::string::npos) << hv_last_error();
    HV_CHECK(hv_preprocess(ctx.get(), image.get(), table.data(), y.get(), 4, 4, 8, 8, 0, 0, 8, 8, 1,
                           HV_RESAMPLE_BILINEAR, HV_LAYOUT_NCHW) == HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(std::string(hv_last_error()).find("y holds") != std::string::npos) << hv_last_error();
    HV_CHECK(hv_preprocess(ctx.get(), image.get(), table.data(), y.get(), 4, 4, 8, 8, 0, 0, 8, 8, 0,
                           static_cast<hv_resample>(6), HV_LAYOUT_NCHW) == HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(hv_preprocess(ctx.get(), image.get(), table.data(), y.get(), 4, 4, 0, 8, 0, 0, 8, 8, 0,
                           HV_RESAMPLE_NEAREST, HV_LAYOUT_NCHW) == HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(std::string(hv_last_error()).find("resize_h must be in 1..65535") != std::string::npos) << hv_last_error();
}
