// attention_bench.hip: playground for fused multi-head attention (hv_attention), layout as in
// native/src/kernels/attention.hip: qkv [B, T, 3·D] -> out [B, T, D], D = H·dh, scale 1/√dh.
//   v1 naive, three kernels and a B·H·T·T score scratch in global memory:
//      scores (one thread per (b, h, i, j)), softmax (one thread per row, three passes), S·V (one
//      thread per output element).
//   v2 fused, one query row per warp, no shared memory: lanes own head dims d = lane, lane + W, ...;
//      per key a warp_sum gives the score, then the online-softmax update (m, l, o) in registers.
//   v3 the library kernel (src/kernels/attention.hip, compiled in from there): 32 query rows per
//      block, K/V tiles of 32 keys in shared memory, 4 threads per row.
// Each version is checked against a float64 CPU reference (‖Δ‖/‖ref‖ ≤ 1e-5) and timed; the rate is
// 4·B·H·T²·dh flops (Q·Kᵀ and P·V) per call. Options: --batch 1 --tokens 197 --heads 12 --head-dim 64
// --reps 3 --warp (emulator: 32 or 64) --peak-gflops (prints the share of it). The emulator defaults to
// 65 tokens and 2 heads (see bench.h).
#include "bench.h"
#include "block_reduce.h"
#include "kernels.h"

namespace {

__global__ void v1_scores(const float* qkv, float* scores, int tokens, int heads, int dh, float scale, int64_t total) {
    const int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    if (e >= total) return;
    const int j = int(e % tokens), i = int(e / tokens % tokens), h = int(e / tokens / tokens % heads);
    const int64_t b = e / tokens / tokens / heads;
    const int width = 3 * heads * dh;
    const float* q = qkv + (b * tokens + i) * width + h * dh;
    const float* k = qkv + (b * tokens + j) * width + heads * dh + h * dh;
    float s = 0.0f;
    for (int d = 0; d < dh; ++d) s += q[d] * k[d];
    scores[e] = s * scale;
}

__global__ void v1_softmax(float* scores, int tokens, int64_t rows) {
    const int64_t r = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    if (r >= rows) return;
    float* p = scores + r * tokens;
    float m = -INFINITY, s = 0.0f;
    for (int j = 0; j < tokens; ++j) m = fmaxf(m, p[j]);
    for (int j = 0; j < tokens; ++j) s += (p[j] = expf(p[j] - m));
    for (int j = 0; j < tokens; ++j) p[j] /= s;
}

__global__ void v1_values(const float* qkv, const float* probs, float* out, int tokens, int heads, int dh,
                          int64_t total) {
    const int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    if (e >= total) return;
    const int d_model = heads * dh, c = int(e % d_model), h = c / dh, d = c % dh;
    const int64_t bi = e / d_model, b = bi / tokens;
    const int i = int(bi % tokens);
    const float* p = probs + ((b * heads + h) * tokens + i) * tokens;
    const float* v = qkv + b * tokens * 3 * d_model + 2 * d_model + h * dh + d;
    float o = 0.0f;
    for (int j = 0; j < tokens; ++j) o += p[j] * v[int64_t(j) * 3 * d_model];
    out[e] = o;
}

constexpr int kV2MaxPerLane = 4;  // dh ≤ 4·warpSize

__global__ void v2_row_per_warp(const float* qkv, float* out, int batch, int tokens, int heads, int dh, float scale) {
    const int lane = threadIdx.x % warpSize;
    const int64_t row = int64_t(blockIdx.x) * (blockDim.x / warpSize) + threadIdx.x / warpSize;
    const bool live = row < int64_t(batch) * heads * tokens;
    const int i = int(row % tokens), h = int(row / tokens % heads);
    const int64_t b = row / tokens / heads;
    const int width = 3 * heads * dh;
    const float* base = qkv + b * tokens * width + h * dh;
    float q[kV2MaxPerLane], o[kV2MaxPerLane];
    for (int t = 0; t < kV2MaxPerLane; ++t) {
        const int d = lane + t * warpSize;
        q[t] = live && d < dh ? base[int64_t(i) * width + d] * scale : 0.0f;
        o[t] = 0.0f;
    }
    float m = -INFINITY, l = 0.0f;
    for (int j = 0; live && j < tokens; ++j) {  // `live` is warp-uniform, so the shuffles stay converged
        const float* k = base + int64_t(j) * width + heads * dh;
        float partial = 0.0f;
        for (int t = 0; t < kV2MaxPerLane; ++t) {
            const int d = lane + t * warpSize;
            if (d < dh) partial += q[t] * k[d];
        }
        const float s = warp_sum(partial);
        const float m_new = fmaxf(m, s), c = expf(m - m_new), p = expf(s - m_new);
        l = l * c + p;
        m = m_new;
        for (int t = 0; t < kV2MaxPerLane; ++t) {
            const int d = lane + t * warpSize;
            if (d < dh) o[t] = o[t] * c + p * k[heads * dh + d];
        }
    }
    if (!live) return;
    for (int t = 0; t < kV2MaxPerLane; ++t) {
        const int d = lane + t * warpSize;
        if (d < dh) out[(b * tokens + i) * heads * dh + h * dh + d] = o[t] / l;
    }
}

std::vector<double> reference(const std::vector<float>& qkv, int batch, int tokens, int heads, int dh, double scale) {
    const int d_model = heads * dh, width = 3 * d_model;
    std::vector<double> out(size_t(batch) * tokens * d_model), p(tokens);
    for (int b = 0; b < batch; ++b)
        for (int h = 0; h < heads; ++h)
            for (int i = 0; i < tokens; ++i) {
                double m = -INFINITY, sum = 0;
                for (int j = 0; j < tokens; ++j) {
                    double s = 0;
                    for (int d = 0; d < dh; ++d)
                        s += double(qkv[(size_t(b) * tokens + i) * width + h * dh + d]) *
                             qkv[(size_t(b) * tokens + j) * width + d_model + h * dh + d];
                    m = std::max(m, p[j] = s * scale);
                }
                for (int j = 0; j < tokens; ++j) sum += (p[j] = std::exp(p[j] - m));
                for (int d = 0; d < dh; ++d) {
                    double o = 0;
                    for (int j = 0; j < tokens; ++j)
                        o += p[j] * qkv[(size_t(b) * tokens + j) * width + 2 * d_model + h * dh + d];
                    out[(size_t(b) * tokens + i) * d_model + h * dh + d] = o / sum;
                }
            }
    return out;
}

unsigned blocks(int64_t n, int threads) { return unsigned((n + threads - 1) / threads); }

}  // namespace

int main(int argc, char** argv) {
    const int batch = int(dev::option(argc, argv, "--batch", 1));
    const int tokens = int(dev::option(argc, argv, "--tokens", dev::kEmulator ? 65 : 197));
    const int heads = int(dev::option(argc, argv, "--heads", dev::kEmulator ? 2 : 12));
    const int dh = int(dev::option(argc, argv, "--head-dim", 64));
    const int reps = int(dev::option(argc, argv, "--reps", 3));
    const double peak = dev::option(argc, argv, "--peak-gflops", 0);
    int warp = int(dev::option(argc, argv, "--warp", 64));
    hipStream_t stream = dev::make_stream(warp);

    const float scale = 1.0f / std::sqrt(float(dh));
    const int64_t d_model = int64_t(heads) * dh, rows = int64_t(batch) * heads * tokens;
    const auto qkv = dev::random_floats(size_t(batch) * tokens * 3 * d_model, -1, 1, 42);
    const auto want = reference(qkv, batch, tokens, heads, dh, scale);
    const double flops = 4.0 * double(rows) * tokens * dh;
    dev::DeviceFloats dq(qkv), dout({}, want.size()), dscores({}, size_t(rows) * tokens);
    std::printf("attention B=%d T=%d H=%d dh=%d, warp %d, %d reps\n", batch, tokens, heads, dh, warp, reps);

    bool ok = true;
    auto run = [&](const char* name, const std::function<void()>& launch) {
        (void)hipMemset(dout.get(), 0, want.size() * sizeof(float));
        const double ms = dev::time_ms(stream, reps, launch);
        ok &= dev::report(name, dev::relative_error(dout.download(), want), 1e-5, ms, flops, "GFLOP/s", peak);
    };
    run("v1 naive 3-pass, T×T scratch", [&] {
        const int64_t total = rows * tokens, out_total = int64_t(batch) * tokens * d_model;
        hipLaunchKernelGGL(v1_scores, dim3(blocks(total, 256)), dim3(256), 0, stream, dq.get(), dscores.get(), tokens,
                           heads, dh, scale, total);
        hipLaunchKernelGGL(v1_softmax, dim3(blocks(rows, 256)), dim3(256), 0, stream, dscores.get(), tokens, rows);
        hipLaunchKernelGGL(v1_values, dim3(blocks(out_total, 256)), dim3(256), 0, stream, dq.get(), dscores.get(),
                           dout.get(), tokens, heads, dh, out_total);
        dev::check(hipGetLastError(), "v1 launch");
    });
    if (dh <= kV2MaxPerLane * warp)
        run("v2 fused, one query row per warp", [&] {
            hipLaunchKernelGGL(v2_row_per_warp, dim3(blocks(rows, 256 / warp)), dim3(256), 0, stream, dq.get(),
                               dout.get(), batch, tokens, heads, dh, scale);
            dev::check(hipGetLastError(), "v2 launch");
        });
    run("v3 tiled K/V in shared (library)", [&] {
        dev::check(hv::launch_attention(HV_DTYPE_FLOAT32, dq.get(), nullptr, dout.get(), batch, tokens, heads, dh,
                                        scale, stream),
                   "v3 launch");
    });
    return ok ? 0 : 1;
}
