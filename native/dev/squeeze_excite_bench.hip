// squeeze_excite_bench.hip: playground for squeeze-and-excitation on NHWC (kernels/squeeze_excite.hip).
// Versions, each checked against a float64 CPU reference (‖Δ‖/‖want‖ ≤ 1e-5) and timed (ms, GB/s of the
// compulsory traffic: x read twice (pool, scale), y written once):
//   1  naive: pool with one block per (b, c) striding over pixels (accesses C floats apart), the two small
//      matrix-vector products one thread per output, then an elementwise scale
//   2  library: chunked channel-mean (128-byte reads, pixels split over up to 64 blocks per channel group),
//      a block per 8 reduced rows, the scale computing its 32 gates first (what hv_squeeze_excite runs)
//   pool alone, 1 chunk vs the library's chunk count: how much splitting the pixels buys on the big maps
// Shapes: EfficientNet-B7 SE inputs at 600×600 (expanded channels, reduced = in/4 of the block input).
// Run: hv_dev_squeeze_excite [iterations] [shapes]   (defaults: 20 iterations, all shapes on a GPU;
// 1 iteration, the 2 smallest on the emulator, warp 64). HV_PEAK_GBS=<GB/s> adds a %-of-peak column.
#include "bench.h"
#include "block_reduce.h"
#include "convnet.h"

namespace {

struct Shape {
    const char* name;
    int h, w, c, r;
};

__global__ void naive_pool(const float* x, float* s, int pixels, int channels) {
    __shared__ float scratch[HV_MAX_WARPS_PER_BLOCK];
    const int c = blockIdx.x, b = blockIdx.y;
    float v = 0.0f;
    for (int p = threadIdx.x; p < pixels; p += blockDim.x) v += x[(size_t(b) * pixels + p) * channels + c];
    v = block_sum(v, scratch);
    if (threadIdx.x == 0) s[size_t(b) * channels + c] = v / float(pixels);
}

__global__ void naive_fc(const float* in, const float* w, const float* bias, float* out, int rows, int cols,
                         int batch, bool gate) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= rows * batch) return;
    const int b = i / rows, j = i % rows;
    float acc = bias[j];
    for (int k = 0; k < cols; ++k) acc += w[size_t(j) * cols + k] * in[size_t(b) * cols + k];
    out[i] = gate ? 1.0f / (1.0f + expf(-acc)) : acc / (1.0f + expf(-acc));
}

__global__ void naive_scale(const float* x, const float* e, float* y, size_t n, int pixels, int channels) {
    const size_t i = size_t(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < n) y[i] = x[i] * e[(i / (size_t(pixels) * channels)) * channels + i % channels];
}

std::vector<double> reference(const std::vector<float>& x, const std::vector<float>& w1, const std::vector<float>& b1,
                              const std::vector<float>& w2, const std::vector<float>& b2, int pixels, int c, int r,
                              std::vector<double>* mean) {
    std::vector<double> s(c, 0.0), h(r), e(c), y(x.size());
    for (int p = 0; p < pixels; ++p)
        for (int k = 0; k < c; ++k) s[k] += x[size_t(p) * c + k];
    for (double& v : s) v /= pixels;
    for (int j = 0; j < r; ++j) {
        double a = b1[j];
        for (int k = 0; k < c; ++k) a += double(w1[size_t(j) * c + k]) * s[k];
        h[j] = a / (1.0 + std::exp(-a));
    }
    for (int k = 0; k < c; ++k) {
        double a = b2[k];
        for (int j = 0; j < r; ++j) a += double(w2[size_t(k) * r + j]) * h[j];
        e[k] = 1.0 / (1.0 + std::exp(-a));
    }
    for (size_t i = 0; i < x.size(); ++i) y[i] = x[i] * e[i % c];
    *mean = s;
    return y;
}

}  // namespace

int main(int argc, char** argv) {
    const Shape shapes[] = {
        {"b7 19x19x3840 r160", 19, 19, 3840, 160}, {"b7 38x38x1344 r56", 38, 38, 1344, 56},
        {"b7 75x75x480 r20", 75, 75, 480, 20},     {"b7 150x150x288 r12", 150, 150, 288, 12},
        {"b7 300x300x64 r16", 300, 300, 64, 16},   {"b7 300x300x192 r8", 300, 300, 192, 8},
    };
    const int all = int(sizeof shapes / sizeof shapes[0]);
    const int iterations = argc > 1 ? std::atoi(argv[1]) : dev::kEmulator ? 1 : 20;
    const int count = std::min(argc > 2 ? std::atoi(argv[2]) : dev::kEmulator ? 2 : all, all);
    const double peak = dev::peak_gbs(argc, argv);
    int warp = 64;
    hipStream_t stream = dev::make_stream(warp);
    std::printf("squeeze-excite, NHWC fp32, SiLU, batch 1, backend %s, warp %d, %d iterations\n",
                dev::kEmulator ? "emulator" : "gpu", warp, iterations);
    bool ok = true;
    for (int i = 0; i < count; ++i) {
        const Shape& sh = shapes[i];
        const int pixels = sh.h * sh.w, c = sh.c, r = sh.r;
        const size_t n = size_t(pixels) * c;
        const auto x = dev::random_floats(n, -1, 1, 1), w1 = dev::random_floats(size_t(r) * c, -0.3f, 0.3f, 2),
                   b1 = dev::random_floats(r, -0.3f, 0.3f, 3), w2 = dev::random_floats(size_t(c) * r, -0.3f, 0.3f, 4),
                   b2 = dev::random_floats(c, -0.3f, 0.3f, 5);
        std::vector<double> mean;
        const std::vector<double> want = reference(x, w1, b1, w2, b2, pixels, c, r, &mean);
        // The library's workspace, or the naive version's s, h and e if that is more.
        const size_t ws = std::max(size_t(hv::squeeze_excite_workspace_floats(1, pixels, c, r)), size_t(c + r + c));
        dev::DeviceFloats dx(x), dw1(w1), db1(b1), dw2(w2), db2(b2), dy({}, n), dws(std::vector<float>(ws, 0.0f));
        const double bytes = 4.0 * 3.0 * double(n);
        std::printf("%s\n", sh.name);
        auto run = [&](const char* version, const std::function<void()>& launch) {
            dev::check(hipMemset(dy.get(), 0, n * sizeof(float)), "hipMemset");
            const double ms = dev::time_ms(stream, iterations, launch);
            ok &= dev::report(version, dev::relative_error(dy.download(), want), 1e-5, ms, bytes, "GB/s", peak);
        };
        run("1 naive", [&] {
            float *s = dws.get(), *h = s + c, *e = s + c + r;
            hipLaunchKernelGGL(naive_pool, dim3(unsigned(c), 1u), dim3(256), 0, stream, dx.get(), s, pixels, c);
            hipLaunchKernelGGL(naive_fc, dim3(unsigned((r + 255) / 256)), dim3(256), 0, stream, s, dw1.get(), db1.get(),
                               h, r, c, 1, false);
            hipLaunchKernelGGL(naive_fc, dim3(unsigned((c + 255) / 256)), dim3(256), 0, stream, h, dw2.get(), db2.get(),
                               e, c, r, 1, true);
            hipLaunchKernelGGL(naive_scale, dim3(unsigned((n + 255) / 256)), dim3(256), 0, stream, dx.get(), e, dy.get(),
                               n, pixels, c);
            dev::check(hipGetLastError(), "1 launch");
        });
        run("2 library", [&] {
            dev::check(hv::launch_squeeze_excite(HV_DTYPE_FLOAT32, dx.get(), dw1.get(), db1.get(), dw2.get(), db2.get(),
                                                 dws.get(), dy.get(), 1, pixels, c, r, 4, stream),
                       "2 launch");
        });
        const int64_t library_chunks = std::min<int64_t>((pixels + 1023) / 1024, 64);
        std::vector<int64_t> chunk_counts{1};
        if (library_chunks > 1) chunk_counts.push_back(library_chunks);
        for (int64_t chunks : chunk_counts) {
            const double ms = dev::time_ms(stream, iterations, [&] {
                dev::check(hv::launch_channel_mean(HV_DTYPE_FLOAT32, dx.get(), dws.get(), 1, pixels, c, chunks, stream),
                           "pool launch");
            });
            const std::vector<float> partial = dws.download();
            std::vector<float> got(c, 0.0f);
            for (int64_t k = 0; k < chunks; ++k)
                for (int j = 0; j < c; ++j) got[j] += partial[size_t(k) * c + j];
            char label[64];
            std::snprintf(label, sizeof label, "pool alone, %d chunk%s", int(chunks), chunks > 1 ? "s" : "");
            ok &= dev::report(label, dev::relative_error(got, mean), 1e-5, ms, 4.0 * double(n), "GB/s", peak);
        }
    }
    dev::check(hipStreamDestroy(stream), "hipStreamDestroy");
    return ok ? 0 : 1;
}
