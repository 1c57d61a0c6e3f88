// depthwise_conv2d_bench.hip: playground for the NHWC depthwise convolution (kernels/depthwise_conv2d.hip).
// Versions, each checked against a float64 CPU reference (‖Δ‖/‖want‖ ≤ 1e-5) and timed (ms, GB/s of the
// compulsory traffic: x read once, y written once, weights once):
//   1  naive: one thread per output (b, oy, ox, c), channels fastest, taps and weights straight from global
//   2  library: an 8×8 (stride 1) or 4×8 (stride 2) output tile × 32 channels per block, input tile + halo
//      and the weights in shared memory (what hv_depthwise_conv2d runs)
//   3  registers: template on k; a thread owns one channel and a strip of 4 output rows at one column,
//      weights in registers, each input row loaded once per strip through the cache (no shared memory)
// Shapes: EfficientNet-B7 at 600×600 (maps 300 .. 19) and MobileNetV1 at 224.
// Run: hv_dev_depthwise_conv2d [iterations] [shapes]   (defaults: 20 iterations, all shapes on a GPU;
// 1 iteration, the 3 smallest shapes on the emulator, warp 64). HV_PEAK_GBS=<GB/s> adds a %-of-peak column.
#include "bench.h"
#include "convnet.h"

namespace {

struct Shape {
    const char* name;
    int h, w, c, k, stride;
};

// TF "SAME" padding, as EfficientNet's checkpoints use.
hv::ConvShape conv_shape(const Shape& s) {
    const int oh = (s.h + s.stride - 1) / s.stride, ow = (s.w + s.stride - 1) / s.stride;
    const int th = (oh - 1) * s.stride + s.k - s.h, tw = (ow - 1) * s.stride + s.k - s.w;
    return hv::ConvShape{1, s.h, s.w, s.c, s.c, s.k, s.k, s.stride, s.stride, th > 0 ? th / 2 : 0, tw > 0 ? tw / 2 : 0,
                         oh, ow};
}

__global__ void naive_kernel(const float* x, const float* w, const float* bias, float* y, hv::ConvShape s) {
    const size_t i = size_t(blockIdx.x) * blockDim.x + threadIdx.x;
    const size_t n = size_t(s.batch) * s.out_h * s.out_w * s.in_channels;
    if (i >= n) return;
    const int c = int(i % s.in_channels);
    const size_t pix = i / s.in_channels;
    const int ox = int(pix % s.out_w), oy = int((pix / s.out_w) % s.out_h), b = int(pix / (size_t(s.out_w) * s.out_h));
    float acc = bias[c];
    for (int ky = 0; ky < s.kernel_h; ++ky)
        for (int kx = 0; kx < s.kernel_w; ++kx) {
            const int iy = oy * s.stride_h - s.pad_top + ky, ix = ox * s.stride_w - s.pad_left + kx;
            if (iy < 0 || iy >= s.height || ix < 0 || ix >= s.width) continue;
            acc += x[((size_t(b) * s.height + iy) * s.width + ix) * s.in_channels + c] * w[(c * s.kernel_h + ky) * s.kernel_w + kx];
        }
    y[i] = acc / (1.0f + expf(-acc));
}

constexpr int kStrip = 4;

template <int K>
__global__ void register_kernel(const float* x, const float* w, const float* bias, float* y, hv::ConvShape s) {
    const int c = blockIdx.y * 32 + threadIdx.x % 32;
    const int column = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;  // strip index over (strip row, ox)
    const int strips = (s.out_h + kStrip - 1) / kStrip;
    if (c >= s.in_channels || column >= strips * s.out_w) return;
    const int ox = column % s.out_w, oy0 = (column / s.out_w) * kStrip;
    float wr[K * K];
    for (int t = 0; t < K * K; ++t) wr[t] = w[c * K * K + t];
    float acc[kStrip];
    for (int r = 0; r < kStrip; ++r) acc[r] = bias[c];
    const int ix0 = ox * s.stride_w - s.pad_left;
    const int iy_first = oy0 * s.stride_h - s.pad_top;
    for (int dy = 0; dy < (kStrip - 1) * s.stride_h + K; ++dy) {
        const int iy = iy_first + dy;
        if (iy < 0 || iy >= s.height) continue;
        float row[K];
        for (int kx = 0; kx < K; ++kx) {
            const int ix = ix0 + kx;
            row[kx] = ix >= 0 && ix < s.width ? x[(size_t(iy) * s.width + ix) * s.in_channels + c] : 0.0f;
        }
        for (int r = 0; r < kStrip; ++r) {
            const int ky = dy - r * s.stride_h;
            if (ky < 0 || ky >= K) continue;
            for (int kx = 0; kx < K; ++kx) acc[r] += row[kx] * wr[ky * K + kx];
        }
    }
    for (int r = 0; r < kStrip; ++r) {
        const int oy = oy0 + r;
        if (oy < s.out_h) y[(size_t(oy) * s.out_w + ox) * s.in_channels + c] = acc[r] / (1.0f + expf(-acc[r]));
    }
}

std::vector<double> reference(const std::vector<float>& x, const std::vector<float>& w, const std::vector<float>& bias,
                              const hv::ConvShape& s) {
    std::vector<double> y(size_t(s.out_h) * s.out_w * s.in_channels);
    for (int oy = 0; oy < s.out_h; ++oy)
        for (int ox = 0; ox < s.out_w; ++ox)
            for (int c = 0; c < s.in_channels; ++c) {
                double acc = bias[c];
                for (int ky = 0; ky < s.kernel_h; ++ky)
                    for (int kx = 0; kx < s.kernel_w; ++kx) {
                        const int iy = oy * s.stride_h - s.pad_top + ky, ix = ox * s.stride_w - s.pad_left + kx;
                        if (iy < 0 || iy >= s.height || ix < 0 || ix >= s.width) continue;
                        acc += double(x[(size_t(iy) * s.width + ix) * s.in_channels + c]) * w[(c * s.kernel_h + ky) * s.kernel_w + kx];
                    }
                y[(size_t(oy) * s.out_w + ox) * s.in_channels + c] = acc / (1.0 + std::exp(-acc));
            }
    return y;
}

}  // namespace

int main(int argc, char** argv) {
    const Shape shapes[] = {
        {"mobilenet 14x14x512 k3 s1", 14, 14, 512, 3, 1},   {"b7 19x19x1344 k5 s1", 19, 19, 1344, 5, 1},
        {"b7 38x38x960 k5 s1", 38, 38, 960, 5, 1},          {"mobilenet 112x112x32 k3 s1", 112, 112, 32, 3, 1},
        {"mobilenet 112x112x64 k3 s2", 112, 112, 64, 3, 2}, {"b7 75x75x480 k3 s1", 75, 75, 480, 3, 1},
        {"b7 150x150x288 k5 s2", 150, 150, 288, 5, 2},      {"b7 300x300x192 k3 s2", 300, 300, 192, 3, 2},
        {"b7 300x300x64 k3 s1", 300, 300, 64, 3, 1},
    };
    const int all = int(sizeof shapes / sizeof shapes[0]);
    const int iterations = argc > 1 ? std::atoi(argv[1]) : dev::kEmulator ? 1 : 20;
    const int count = std::min(argc > 2 ? std::atoi(argv[2]) : dev::kEmulator ? 3 : all, all);
    const double peak = dev::peak_gbs(argc, argv);
    int warp = 64;
    hipStream_t stream = dev::make_stream(warp);
    std::printf("depthwise conv2d, NHWC fp32, SiLU, backend %s, warp %d, %d iterations\n",
                dev::kEmulator ? "emulator" : "gpu", warp, iterations);
    bool ok = true;
    for (int i = 0; i < count; ++i) {
        const hv::ConvShape s = conv_shape(shapes[i]);
        const size_t nx = size_t(s.height) * s.width * s.in_channels, ny = size_t(s.out_h) * s.out_w * s.in_channels;
        const auto x = dev::random_floats(nx, -1, 1, 1);
        const auto w = dev::random_floats(size_t(s.in_channels) * s.kernel_h * s.kernel_w, -0.5f, 0.5f, 2);
        const auto bias = dev::random_floats(s.in_channels, -0.5f, 0.5f, 3);
        const std::vector<double> want = reference(x, w, bias, s);
        dev::DeviceFloats dx(x), dw(w), db(bias), dy({}, ny);
        const double bytes = 4.0 * double(nx + ny + w.size() + bias.size());
        std::printf("%s -> %dx%d\n", shapes[i].name, s.out_h, s.out_w);
        auto run = [&](const char* version, const std::function<void()>& launch) {
            dev::check(hipMemset(dy.get(), 0, ny * sizeof(float)), "hipMemset");
            const double ms = dev::time_ms(stream, iterations, launch);
            ok &= dev::report(version, dev::relative_error(dy.download(), want), 1e-5, ms, bytes, "GB/s", peak);
        };
        run("1 naive", [&] {
            hipLaunchKernelGGL(naive_kernel, dim3(unsigned((ny + 255) / 256)), dim3(256), 0, stream, dx.get(), dw.get(),
                               db.get(), dy.get(), s);
            dev::check(hipGetLastError(), "1 launch");
        });
        run("2 library (tile + halo)", [&] {
            dev::check(hv::launch_depthwise_conv2d(HV_DTYPE_FLOAT32, dx.get(), dw.get(), db.get(), dy.get(), s, 4,
                                                   stream),
                       "2 launch");
        });
        const int strips = (s.out_h + kStrip - 1) / kStrip * s.out_w;
        const dim3 grid3(unsigned((strips + 7) / 8), unsigned((s.in_channels + 31) / 32));
        if (s.kernel_h == 3)
            run("3 registers k3", [&] {
                hipLaunchKernelGGL(register_kernel<3>, grid3, dim3(256), 0, stream, dx.get(), dw.get(), db.get(),
                                   dy.get(), s);
                dev::check(hipGetLastError(), "3 launch");
            });
        else
            run("3 registers k5", [&] {
                hipLaunchKernelGGL(register_kernel<5>, grid3, dim3(256), 0, stream, dx.get(), dw.get(), db.get(),
                                   dy.get(), s);
                dev::check(hipGetLastError(), "3 launch");
            });
    }
    dev::check(hipStreamDestroy(stream), "hipStreamDestroy");
    return ok ? 0 : 1;
}
