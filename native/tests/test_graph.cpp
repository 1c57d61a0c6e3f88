// test_graph.cpp: hv_graph_* capture and replay. A short sequence of real ops (linear -> gelu ->
// layer_norm) is captured once and replayed twice with new input uploaded in between; each replay must be
// bit-identical to the same ops run uncaptured on the same input. Then the error contract: begin twice,
// end without begin, copies and waits while capturing, NULL arguments. Warp 32 and 64 on the emulator.
#include <cstring>
#include <string>

#include "device.h"
#include "reference.h"

namespace {

constexpr int64_t kRows = 13, kIn = 40, kOut = 72;

struct Net {
    hvt::Buffer x, w, b, h, gamma, beta, y;
    Net(const hvt::Context& c)
        : x(c, size_t(kRows * kIn)), w(c, hvt::random_floats(size_t(kOut * kIn), -0.3f, 0.3f)),
          b(c, hvt::random_floats(size_t(kOut), -0.1f, 0.1f)), h(c, size_t(kRows * kOut)),
          gamma(c, hvt::random_floats(size_t(kOut), 0.5f, 1.5f)), beta(c, hvt::random_floats(size_t(kOut), -0.5f, 0.5f)),
          y(c, size_t(kRows * kOut)) {}
    // Three ops, four kernel launches on the built-in GEMM path: linear (bias fused), gelu, layer_norm.
    void ops(const hvt::Context& c) {
        HV_EXPECT_OK(hv_linear(c.get(), x.get(), w.get(), b.get(), h.get(), kRows, kIn, kOut, HV_ACTIVATION_NONE));
        HV_EXPECT_OK(hv_activate(c.get(), h.get(), h.get(), kRows * kOut, HV_ACTIVATION_GELU));
        HV_EXPECT_OK(hv_layer_norm(c.get(), h.get(), gamma.get(), beta.get(), y.get(), kRows, kOut, 1e-5f));
    }
    void upload(const std::vector<float>& v) {
        HV_EXPECT_OK(hv_buffer_upload(x.get(), 0, v.data(), v.size() * sizeof(float)));
    }
};

bool bit_identical(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

bool mentions(const char* text, const char* word) { return std::strstr(text, word) != nullptr; }

}  // namespace

HV_TEST(graph_replay_matches_uncaptured) {
    for (int warp : hvt::warp_sizes()) {
        hvt::Context ctx(warp);
        Net net(ctx);
        hv_graph* graph = nullptr;
        HV_EXPECT_OK(hv_graph_begin(ctx.get()));
        net.ops(ctx);
        HV_EXPECT_OK(hv_graph_end(ctx.get(), &graph));
        HV_CHECK(graph != nullptr);
        int64_t launches = -1;
        HV_EXPECT_OK(hv_graph_launch_count(graph, &launches));
        HV_CHECK(launches >= 3) << "warp " << ctx.warp_size() << ": " << launches << " launches recorded";
        std::printf("graph warp %d: %lld launches recorded\n", ctx.warp_size(), static_cast<long long>(launches));

        for (int replay = 0; replay < 2; ++replay) {
            const std::vector<float> input = hvt::random_floats(size_t(kRows * kIn), -2.0f, 2.0f);
            net.upload(input);
            net.ops(ctx);  // uncaptured: runs now
            const std::vector<float> want = net.y.download(size_t(kRows * kOut));
            // Clobber the output so a replay that did nothing cannot pass.
            const std::vector<float> junk(size_t(kRows * kOut), -7.0f);
            HV_EXPECT_OK(hv_buffer_upload(net.y.get(), 0, junk.data(), junk.size() * sizeof(float)));
            net.upload(input);
            HV_EXPECT_OK(hv_graph_launch(graph));
            HV_EXPECT_OK(hv_context_synchronize(ctx.get()));
            const std::vector<float> got = net.y.download(size_t(kRows * kOut));
            HV_CHECK(bit_identical(got, want)) << "warp " << ctx.warp_size() << " replay " << replay
                                                << ": graph output differs from the uncaptured ops";
        }
        HV_EXPECT_OK(hv_graph_destroy(graph));
    }
}

HV_TEST(graph_errors) {
    for (int warp : hvt::warp_sizes()) {
        hvt::Context ctx(warp);
        hvt::Buffer buf(ctx, 4);
        hv_graph* graph = nullptr;
        float host[4] = {};

        HV_CHECK(hv_graph_end(ctx.get(), &graph) == HV_ERROR_INVALID_ARGUMENT);
        HV_CHECK(mentions(hv_last_error(), "hv_graph_end") && mentions(hv_last_error(), "not capturing")) << hv_last_error();
        HV_CHECK(hv_graph_begin(nullptr) == HV_ERROR_INVALID_ARGUMENT);
        HV_CHECK(mentions(hv_last_error(), "context")) << hv_last_error();

        HV_EXPECT_OK(hv_graph_begin(ctx.get()));
        HV_CHECK(hv_graph_begin(ctx.get()) == HV_ERROR_INVALID_ARGUMENT);
        HV_CHECK(mentions(hv_last_error(), "hv_graph_begin") && mentions(hv_last_error(), "already capturing"))
            << hv_last_error();
        HV_CHECK(hv_buffer_upload(buf.get(), 0, host, sizeof host) == HV_ERROR_INVALID_ARGUMENT);
        HV_CHECK(mentions(hv_last_error(), "hv_buffer_upload") && mentions(hv_last_error(), "capturing")) << hv_last_error();
        HV_CHECK(hv_buffer_download(buf.get(), 0, host, sizeof host) == HV_ERROR_INVALID_ARGUMENT);
        HV_CHECK(mentions(hv_last_error(), "hv_buffer_download")) << hv_last_error();
        HV_CHECK(hv_context_synchronize(ctx.get()) == HV_ERROR_INVALID_ARGUMENT);
        HV_CHECK(mentions(hv_last_error(), "hv_context_synchronize")) << hv_last_error();
        // A bad op argument during capture fails at the call, as uncaptured, and leaves the capture going.
        HV_CHECK(hv_activate(ctx.get(), buf.get(), buf.get(), -1, HV_ACTIVATION_GELU) == HV_ERROR_INVALID_ARGUMENT);
        HV_EXPECT_OK(hv_activate(ctx.get(), buf.get(), buf.get(), 4, HV_ACTIVATION_GELU));
        HV_CHECK(hv_graph_end(ctx.get(), nullptr) == HV_ERROR_INVALID_ARGUMENT);
        HV_EXPECT_OK(hv_graph_end(ctx.get(), &graph));
        int64_t launches = -1;
        HV_EXPECT_OK(hv_graph_launch_count(graph, &launches));
        HV_CHECK(launches == 1) << launches;

        // Replaying into a capture is refused; after the capture ends the context works again.
        HV_EXPECT_OK(hv_graph_begin(ctx.get()));
        HV_CHECK(hv_graph_launch(graph) == HV_ERROR_INVALID_ARGUMENT);
        HV_CHECK(mentions(hv_last_error(), "hv_graph_launch")) << hv_last_error();
        hv_graph* empty = nullptr;
        HV_EXPECT_OK(hv_graph_end(ctx.get(), &empty));
        HV_EXPECT_OK(hv_graph_launch_count(empty, &launches));
        HV_CHECK(launches == 0) << launches;
        HV_EXPECT_OK(hv_graph_launch(empty));
        HV_EXPECT_OK(hv_buffer_upload(buf.get(), 0, host, sizeof host));
        HV_EXPECT_OK(hv_graph_launch(graph));
        HV_EXPECT_OK(hv_context_synchronize(ctx.get()));

        HV_CHECK(hv_graph_launch(nullptr) == HV_ERROR_INVALID_ARGUMENT);
        HV_CHECK(hv_graph_launch_count(nullptr, &launches) == HV_ERROR_INVALID_ARGUMENT);
        HV_CHECK(hv_graph_launch_count(graph, nullptr) == HV_ERROR_INVALID_ARGUMENT);
        HV_EXPECT_OK(hv_graph_destroy(nullptr));
        HV_EXPECT_OK(hv_graph_destroy(empty));
        HV_EXPECT_OK(hv_graph_destroy(graph));
    }
}

HV_TEST(graph_context_destroyed_while_capturing) {
    hv_context* ctx = nullptr;
    HV_EXPECT_OK(hv_context_create(nullptr, &ctx));
    HV_EXPECT_OK(hv_graph_begin(ctx));
    HV_EXPECT_OK(hv_context_destroy(ctx));
}
