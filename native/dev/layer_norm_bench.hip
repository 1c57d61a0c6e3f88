// layer_norm_bench.hip: playground for LayerNorm over the last dimension (hv_layer_norm), x [rows, cols].
//   v1 one thread per row, three serial passes (mean, variance, write): no cooperation at all.
//   v2 one warp per row: lanes stride over cols, warp_sum by __shfl_xor, 256/W rows per block.
//   v3 the library kernel (src/kernels/layer_norm.hip, compiled in from there): one 256-thread block
//      per row, block_sum through shared memory.
// Each version is checked against a float64 CPU reference (‖Δ‖/‖ref‖ ≤ 1e-5) and timed; the rate is
// the effective bandwidth 2·rows·cols·4 bytes (x read once, y written once) per call, whatever the
// kernel re-reads. Options: --rows 1576 --cols 768 --reps 3 --warp (emulator: 32 or 64) --peak-gbs (else
// HV_PEAK_GBS); the emulator defaults to 197 rows.
#include "bench.h"
#include "block_reduce.h"
#include "kernels.h"

namespace {

__global__ void v1_thread_per_row(const float* x, const float* gamma, const float* beta, float* y, int rows, int cols,
                                  float eps) {
    const int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= rows) return;
    const float* xr = x + size_t(r) * cols;
    float* yr = y + size_t(r) * cols;
    float mean = 0.0f, var = 0.0f;
    for (int c = 0; c < cols; ++c) mean += xr[c];
    mean /= float(cols);
    for (int c = 0; c < cols; ++c) var += (xr[c] - mean) * (xr[c] - mean);
    const float rstd = rsqrtf(var / float(cols) + eps);
    for (int c = 0; c < cols; ++c) yr[c] = (xr[c] - mean) * rstd * gamma[c] + beta[c];
}

__global__ void v2_warp_per_row(const float* x, const float* gamma, const float* beta, float* y, int rows, int cols,
                                float eps) {
    const int lane = threadIdx.x % warpSize;
    const int r = blockIdx.x * (blockDim.x / warpSize) + threadIdx.x / warpSize;
    if (r >= rows) return;  // warp-uniform: whole warps leave together
    const float* xr = x + size_t(r) * cols;
    float* yr = y + size_t(r) * cols;
    float s = 0.0f;
    for (int c = lane; c < cols; c += warpSize) s += xr[c];
    const float mean = warp_sum(s) / float(cols);
    float q = 0.0f;
    for (int c = lane; c < cols; c += warpSize) q += (xr[c] - mean) * (xr[c] - mean);
    const float rstd = rsqrtf(warp_sum(q) / float(cols) + eps);
    for (int c = lane; c < cols; c += warpSize) yr[c] = (xr[c] - mean) * rstd * gamma[c] + beta[c];
}

std::vector<double> reference(const std::vector<float>& x, const std::vector<float>& gamma,
                              const std::vector<float>& beta, int rows, int cols, double eps) {
    std::vector<double> y(x.size());
    for (int r = 0; r < rows; ++r) {
        const float* xr = &x[size_t(r) * cols];
        double mean = 0, var = 0;
        for (int c = 0; c < cols; ++c) mean += xr[c];
        mean /= cols;
        for (int c = 0; c < cols; ++c) var += (xr[c] - mean) * (xr[c] - mean);
        const double rstd = 1.0 / std::sqrt(var / cols + eps);
        for (int c = 0; c < cols; ++c) y[size_t(r) * cols + c] = (xr[c] - mean) * rstd * gamma[c] + beta[c];
    }
    return y;
}

}  // namespace

int main(int argc, char** argv) {
    const int rows = int(dev::option(argc, argv, "--rows", dev::kEmulator ? 197 : 197 * 8));
    const int cols = int(dev::option(argc, argv, "--cols", 768));
    const int reps = int(dev::option(argc, argv, "--reps", 3));
    const double peak = dev::peak_gbs(argc, argv);
    int warp = int(dev::option(argc, argv, "--warp", 64));
    hipStream_t stream = dev::make_stream(warp);

    const float eps = 1e-12f;
    const auto x = dev::random_floats(size_t(rows) * cols, -2, 2, 42);
    const auto gamma = dev::random_floats(cols, 0.5f, 1.5f, 43), beta = dev::random_floats(cols, -0.5f, 0.5f, 44);
    const auto want = reference(x, gamma, beta, rows, cols, eps);
    const double bytes = 2.0 * rows * cols * sizeof(float);
    dev::DeviceFloats dx(x), dg(gamma), db(beta), dy({}, x.size());
    std::printf("layer_norm rows=%d cols=%d, warp %d, %d reps\n", rows, cols, warp, reps);

    bool ok = true;
    auto run = [&](const char* name, const std::function<void()>& launch) {
        (void)hipMemset(dy.get(), 0, x.size() * sizeof(float));
        const double ms = dev::time_ms(stream, reps, launch);
        ok &= dev::report(name, dev::relative_error(dy.download(), want), 1e-5, ms, bytes, "GB/s", peak);
    };
    run("v1 one thread per row", [&] {
        hipLaunchKernelGGL(v1_thread_per_row, dim3((rows + 255) / 256), dim3(256), 0, stream, dx.get(), dg.get(),
                           db.get(), dy.get(), rows, cols, eps);
        dev::check(hipGetLastError(), "v1 launch");
    });
    run("v2 one warp per row", [&] {
        const int per_block = 256 / warp;
        hipLaunchKernelGGL(v2_warp_per_row, dim3((rows + per_block - 1) / per_block), dim3(256), 0, stream, dx.get(),
                           dg.get(), db.get(), dy.get(), rows, cols, eps);
        dev::check(hipGetLastError(), "v2 launch");
    });
    run("v3 block per row (library)", [&] {
        dev::check(hv::launch_layer_norm(HV_DTYPE_FLOAT32, dx.get(), nullptr, dg.get(), db.get(), nullptr, dy.get(),
                                         rows, cols, eps, stream),
                   "v3 launch");
    });
    return ok ? 0 : 1;
}
