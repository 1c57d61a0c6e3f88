// test_buffer_view.cpp: hv_buffer_view: a view aliases its range of the parent (copies and ops see the same bytes),
// keeps the allocation alive after the parent is freed, nests, and refuses ranges outside the parent and offsets
// that are not multiples of 256.
#include <cstring>
#include <string>
#include <vector>

#include "device.h"
#include "reference.h"

HV_TEST(buffer_view_aliases_outlives_and_nests) {
    hvt::Context ctx;
    hv_buffer* arena = nullptr;
    HV_EXPECT_OK(hv_buffer_alloc(ctx.get(), 4096, &arena));
    hv_buffer *x = nullptr, *y = nullptr;
    const size_t rows = 3, cols = 33, bytes = rows * cols * sizeof(float);
    HV_EXPECT_OK(hv_buffer_view(arena, 256, bytes, &x));
    HV_EXPECT_OK(hv_buffer_view(arena, 1024, bytes, &y));
    size_t size = 0;
    HV_EXPECT_OK(hv_buffer_size(x, &size));
    HV_CHECK(size == bytes);

    // An op on two views of one arena reads and writes the planned ranges.
    const std::vector<float> values = hvt::random_floats(rows * cols, -2, 2);
    HV_EXPECT_OK(hv_buffer_upload(x, 0, values.data(), bytes));
    HV_EXPECT_OK(hv_layer_norm(ctx.get(), x, nullptr, nullptr, y, int64_t(rows), int64_t(cols), 1e-5f));
    std::vector<float> through_parent(rows * cols);
    HV_EXPECT_OK(hv_buffer_download(arena, 1024, through_parent.data(), bytes));
    hvt::expect_close("layer_norm through views", through_parent,
                      hvt::ref_layer_norm(values, nullptr, {}, {}, rows, cols, double(1e-5f)), 1e-5, 1e-4);

    // A view of a view starts at the sum of the offsets; the allocation lives until its last buffer is freed.
    hv_buffer* inner = nullptr;
    HV_EXPECT_OK(hv_buffer_view(y, 256, 2 * sizeof(float), &inner));
    HV_EXPECT_OK(hv_buffer_free(arena));
    HV_EXPECT_OK(hv_buffer_free(y));
    float two[2] = {};
    HV_EXPECT_OK(hv_buffer_download(inner, 0, two, sizeof two));
    HV_CHECK(std::memcmp(two, through_parent.data() + 64, sizeof two) == 0);
    HV_EXPECT_OK(hv_buffer_free(inner));
    HV_EXPECT_OK(hv_buffer_free(x));
}

HV_TEST(buffer_view_bad_ranges_are_refused) {
    hvt::Context ctx;
    hvt::Buffer arena(ctx, 1024);  // 4096 bytes
    hv_buffer* view = nullptr;
    HV_CHECK(hv_buffer_view(arena.get(), 512, 4096, &view) == HV_ERROR_INVALID_ARGUMENT && view == nullptr);
    HV_CHECK(std::strstr(hv_last_error(), "hv_buffer_view") && std::strstr(hv_last_error(), "exceeds")) << hv_last_error();
    HV_CHECK(hv_buffer_view(arena.get(), 100, 16, &view) == HV_ERROR_INVALID_ARGUMENT && view == nullptr);
    HV_CHECK(std::strstr(hv_last_error(), "multiple of 256")) << hv_last_error();
    HV_CHECK(hv_buffer_view(nullptr, 0, 0, &view) == HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(hv_buffer_view(arena.get(), 0, 16, nullptr) == HV_ERROR_INVALID_ARGUMENT);
    HV_EXPECT_OK(hv_buffer_view(arena.get(), 4096, 0, &view));
    HV_EXPECT_OK(hv_buffer_free(view));
}
