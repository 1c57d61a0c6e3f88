// test_abi.cpp: smoke test of the C ABI without .NET: the happy path end to end, then the error
// contract: a bad argument returns a status, hv_last_error names the function and the argument,
// the next successful call clears it, and nothing aborts.
#include <cstring>
#include <string>

#include "device.h"
#include "reference.h"

namespace {

bool mentions(const char* text, const char* word) { return std::strstr(text, word) != nullptr; }

}  // namespace

// A GPU build on a machine without a GPU skips (CTest SKIP_RETURN_CODE) instead of failing.
std::string hvt::skip_reason() {
    hv_context* ctx = nullptr;
    const hv_status s = hv_context_create(nullptr, &ctx);
    if (s == HV_OK) hv_context_destroy(ctx);
    return s == HV_ERROR_UNSUPPORTED ? std::string(hv_last_error()) : std::string();
}

HV_TEST(abi_backend_and_status_names) {
    const char* backend = nullptr;
    HV_EXPECT_OK(hv_get_backend(&backend));
    HV_CHECK(backend && (std::string(backend) == "emulator" || std::string(backend) == "amd" ||
                         std::string(backend) == "nvidia"));
    std::printf("backend %s\n", backend ? backend : "?");
    HV_CHECK(std::string(hv_status_string(HV_OK)) == "HV_OK");
    HV_CHECK(std::string(hv_status_string(HV_ERROR_INVALID_ARGUMENT)) == "HV_ERROR_INVALID_ARGUMENT");
    HV_CHECK(std::string(hv_status_string(static_cast<hv_status>(42))) == "HV_STATUS_UNKNOWN");
}

HV_TEST(abi_round_trip) {
    hv_context* ctx = nullptr;
    HV_EXPECT_OK(hv_context_create(nullptr, &ctx));
    HV_CHECK(ctx != nullptr);
    int32_t warp = 0;
    HV_EXPECT_OK(hv_context_warp_size(ctx, &warp));
    HV_CHECK(warp == 32 || warp == 64) << "warp " << warp;

    const size_t rows = 3, cols = 5;
    const std::vector<float> x = hvt::random_floats(rows * cols, -1, 1);
    hv_buffer *bx = nullptr, *by = nullptr;
    HV_EXPECT_OK(hv_buffer_alloc(ctx, x.size() * sizeof(float), &bx));
    HV_EXPECT_OK(hv_buffer_alloc(ctx, x.size() * sizeof(float), &by));
    size_t bytes = 0;
    HV_EXPECT_OK(hv_buffer_size(bx, &bytes));
    HV_CHECK(bytes == x.size() * sizeof(float));
    HV_EXPECT_OK(hv_buffer_upload(bx, 0, x.data(), bytes));
    HV_EXPECT_OK(hv_layer_norm(ctx, bx, nullptr, nullptr, by, rows, cols, 1e-5f));
    HV_EXPECT_OK(hv_context_synchronize(ctx));
    std::vector<float> y(x.size());
    HV_EXPECT_OK(hv_buffer_download(by, 0, y.data(), bytes));
    hvt::expect_close("abi layer_norm", y, hvt::ref_layer_norm(x, nullptr, {}, {}, rows, cols, double(1e-5f)), 1e-5, 1e-4);

    // Partial copies at an offset.
    const float two[2] = {7.0f, 8.0f};
    float back[2] = {};
    HV_EXPECT_OK(hv_buffer_upload(bx, 4 * sizeof(float), two, sizeof two));
    HV_EXPECT_OK(hv_buffer_download(bx, 4 * sizeof(float), back, sizeof back));
    HV_CHECK(back[0] == 7.0f && back[1] == 8.0f);

    // The context may go first: buffers keep its device alive.
    HV_EXPECT_OK(hv_context_destroy(ctx));
    HV_EXPECT_OK(hv_buffer_download(by, 0, y.data(), bytes));
    HV_EXPECT_OK(hv_buffer_free(bx));
    HV_EXPECT_OK(hv_buffer_free(by));
    HV_EXPECT_OK(hv_buffer_free(nullptr));
    HV_EXPECT_OK(hv_context_destroy(nullptr));
}

HV_TEST(abi_bad_arguments_return_a_status_and_a_message) {
    hvt::Context ctx;
    hvt::Buffer small(ctx, 4), big(ctx, 64);

    HV_CHECK(hv_layer_norm(ctx.get(), nullptr, nullptr, nullptr, big.get(), 2, 8, 1e-5f) == HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(mentions(hv_last_error(), "hv_layer_norm") && mentions(hv_last_error(), "x is NULL")) << hv_last_error();

    HV_CHECK(hv_layer_norm(ctx.get(), big.get(), nullptr, nullptr, big.get(), 2, 0, 1e-5f) == HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(mentions(hv_last_error(), "cols")) << hv_last_error();

    HV_CHECK(hv_layer_norm(ctx.get(), big.get(), nullptr, nullptr, small.get(), 2, 8, 1e-5f) == HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(mentions(hv_last_error(), "y holds 16 bytes, needs 64")) << hv_last_error();

    HV_CHECK(hv_layer_norm(ctx.get(), big.get(), small.get(), nullptr, big.get(), 2, 8, 1e-5f) == HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(mentions(hv_last_error(), "gamma")) << hv_last_error();

    HV_CHECK(hv_layer_norm(ctx.get(), big.get(), nullptr, nullptr, big.get(), -1, 8, 1e-5f) == HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(mentions(hv_last_error(), "rows")) << hv_last_error();

    HV_CHECK(hv_layer_norm(ctx.get(), big.get(), nullptr, nullptr, big.get(), 2, 8, -1.0f) == HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(mentions(hv_last_error(), "eps")) << hv_last_error();

    HV_CHECK(hv_add_layer_norm(ctx.get(), big.get(), big.get(), nullptr, nullptr, big.get(), big.get(), 2, 8, 1e-5f) ==
             HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(mentions(hv_last_error(), "sum and y")) << hv_last_error();

    HV_CHECK(hv_layer_norm(nullptr, big.get(), nullptr, nullptr, big.get(), 2, 8, 1e-5f) == HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(mentions(hv_last_error(), "context is NULL")) << hv_last_error();

    float host[8] = {};
    HV_CHECK(hv_buffer_upload(small.get(), 8, host, 16) == HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(mentions(hv_last_error(), "hv_buffer_upload") && mentions(hv_last_error(), "exceeds")) << hv_last_error();
    HV_CHECK(hv_buffer_download(small.get(), 0, nullptr, 16) == HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(mentions(hv_last_error(), "dst is NULL")) << hv_last_error();
    HV_CHECK(hv_buffer_alloc(ctx.get(), 16, nullptr) == HV_ERROR_INVALID_ARGUMENT);

    // A buffer from another context is rejected, not used behind the stream's back.
    hvt::Context other;
    hvt::Buffer foreign(other, 64);
    HV_CHECK(hv_layer_norm(ctx.get(), foreign.get(), nullptr, nullptr, big.get(), 2, 8, 1e-5f) == HV_ERROR_INVALID_ARGUMENT);
    HV_CHECK(mentions(hv_last_error(), "another context")) << hv_last_error();

    // Success clears the message.
    HV_EXPECT_OK(hv_layer_norm(ctx.get(), big.get(), nullptr, nullptr, big.get(), 2, 8, 1e-5f));
    HV_CHECK(std::string(hv_last_error()).empty()) << hv_last_error();
}

HV_TEST(abi_context_options_are_validated) {
    const char* backend = "";
    hv_get_backend(&backend);
    hv_context* ctx = nullptr;
    hv_context_options o{};
    o.device = -1;
    HV_CHECK(hv_context_create(&o, &ctx) == HV_ERROR_INVALID_ARGUMENT && ctx == nullptr);
    HV_CHECK(mentions(hv_last_error(), "hv_context_create") && mentions(hv_last_error(), "device")) << hv_last_error();
    HV_CHECK(hv_context_create(nullptr, nullptr) == HV_ERROR_INVALID_ARGUMENT);
    if (std::string(backend) == "emulator") {
        o = hv_context_options{};
        o.emulator_warp_size = 48;
        HV_CHECK(hv_context_create(&o, &ctx) == HV_ERROR_INVALID_ARGUMENT && ctx == nullptr);
        HV_CHECK(mentions(hv_last_error(), "emulator_warp_size")) << hv_last_error();
        o.emulator_warp_size = 32;
        o.emulator_threads = 3;
        HV_EXPECT_OK(hv_context_create(&o, &ctx));
        int32_t warp = 0;
        HV_EXPECT_OK(hv_context_warp_size(ctx, &warp));
        HV_CHECK(warp == 32);
        HV_EXPECT_OK(hv_context_destroy(ctx));
    }
}
