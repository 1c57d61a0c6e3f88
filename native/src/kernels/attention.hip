// attention.hip: fused multi-head self-attention (HF ViT/BEiT SelfAttention after the QKV projection):
// scores, optional bias, online softmax and the product with V in one pass; no tokens×tokens matrix
// ever reaches global memory (FlashAttention's recurrence). qkv, bias and out share one storage type
// (storage.h); Q, K and V are widened to float as they are staged in shared memory, scores, softmax and the
// P·V sums stay float (fp32 throughout), and out is rounded once on store.
// Math, per image b, head h, query i (D = heads·dh; q, k, v are columns [0,D), [D,2D), [2D,3D) of
//   qkv[b, t, :], head h at h·dh .. h·dh+dh):
//   s_ij = scale·q_i·k_j + bias[h, i, j];  out[b, i, h·dh + d] = Σ_j e^(s_ij − m_i) v_j[d] / Σ_j e^(s_ij − m_i)
//   Over key tiles J the running (m, l, o) are updated as m' = max(m, max_J s), c = e^(m − m'),
//   l' = c·l + Σ_J e^(s − m'), o' = c·o + Σ_J e^(s − m')·v; out = o / l at the end.
// Geometry: grid (⌈T/32⌉, heads, batch), 128 threads. A block owns 32 query rows; each row belongs to
//   a group of 4 consecutive threads (row = tid/4, part = tid%4), which stays inside one warp at width
//   32 or 64, so row max and sum are two __shfl_xor steps of width 4. Keys stream through shared
//   memory 32 at a time: the K tile gives each thread the scores of keys part, part+4, ... (8 in
//   registers); probabilities go to shared P[32][33]; the V tile then reuses K's buffer and each thread
//   updates its output dims part, part+4, ... (≤ 32 registers at dh ≤ 128). Shared rows are padded to
//   dh+1 so the 8 rows a warp touches at once fall in different banks. Shared memory
//   (2·32·(dh+1) + 32·33)·4 bytes: 20.8 KiB at dh 64, 37.2 KiB at dh 128 (within 48 KiB and AMD's 64 KiB).
// Reference: native/tests/test_attention.cpp (float64 softmax over the whole row), test_precision.cpp.
// Variants (naive three-pass, one row per warp, this one) and timings: native/dev/attention_bench.hip.
#include "kernels.h"
#include "storage.h"

namespace {

constexpr int kRows = 32;     // query rows per block
constexpr int kKeys = 32;     // keys per shared tile
constexpr int kGroup = 4;     // threads per query row
constexpr int kThreads = kRows * kGroup;

template <class T, int kMaxDim>
__global__ void __launch_bounds__(kThreads)
attention_kernel(const T* qkv, const T* bias, T* out, int tokens, int heads, int dh, float scale) {
    HV_DYNAMIC_SHARED(float, smem);
    const int stride = dh + 1;
    float* qs = smem;                        // [kRows][dh+1], pre-scaled queries
    float* kv = qs + kRows * stride;         // [kKeys][dh+1], the K tile, then the V tile
    float* ps = kv + kKeys * stride;         // [kRows][kKeys+1], this tile's e^(s − m')

    const int width = 3 * heads * dh;
    const int i0 = blockIdx.x * kRows, h = blockIdx.y;
    const T* base = qkv + size_t(blockIdx.z) * size_t(tokens) * size_t(width) + h * dh;
    const int tid = threadIdx.x, row = tid / kGroup, part = tid % kGroup, i = i0 + row;

    for (int e = tid; e < kRows * dh; e += kThreads) {
        const int r = e / dh, d = e % dh;
        qs[r * stride + d] = i0 + r < tokens ? hv::load(base[size_t(i0 + r) * width + d]) * scale : 0.0f;
    }
    const T* bias_row = bias && i < tokens ? bias + (size_t(h) * tokens + i) * tokens : nullptr;

    float m = -INFINITY, l = 0.0f;
    float o[kMaxDim / kGroup] = {};
    for (int j0 = 0; j0 < tokens; j0 += kKeys) {
        __syncthreads();  // the previous V tile is consumed (and, the first time, Q is loaded)
        for (int e = tid; e < kKeys * dh; e += kThreads) {
            const int jj = e / dh, d = e % dh;
            kv[jj * stride + d] = j0 + jj < tokens ? hv::load(base[size_t(j0 + jj) * width + heads * dh + d]) : 0.0f;
        }
        __syncthreads();

        // Scores of keys part, part+4, ...: d outermost, so the 8 partial sums are independent FMAs.
        float s[kKeys / kGroup] = {};
        for (int d = 0; d < dh; ++d) {
            const float q = qs[row * stride + d];
HV_UNROLL
            for (int t = 0; t < kKeys / kGroup; ++t) s[t] += q * kv[(part + kGroup * t) * stride + d];
        }
        float tile_max = -INFINITY;
HV_UNROLL
        for (int t = 0; t < kKeys / kGroup; ++t) {
            const int j = j0 + part + kGroup * t;
            s[t] = j < tokens ? s[t] + (bias_row ? hv::load(bias_row[j]) : 0.0f) : -INFINITY;
            tile_max = fmaxf(tile_max, s[t]);
        }
        for (int offset = kGroup / 2; offset > 0; offset /= 2)
            tile_max = fmaxf(tile_max, __shfl_xor(tile_max, offset, kGroup));
        const float m_new = fmaxf(m, tile_max);
        const float shift = m_new == -INFINITY ? 0.0f : m_new;  // a fully masked row so far stays at l = 0
        const float correction = expf(m - shift);
        float sum = 0.0f;
HV_UNROLL
        for (int t = 0; t < kKeys / kGroup; ++t) {
            const float p = expf(s[t] - shift);
            ps[row * (kKeys + 1) + part + kGroup * t] = p;
            sum += p;
        }
        for (int offset = kGroup / 2; offset > 0; offset /= 2) sum += __shfl_xor(sum, offset, kGroup);
        l = l * correction + sum;
        m = m_new;
        __syncthreads();  // every score of the K tile is taken

        for (int e = tid; e < kKeys * dh; e += kThreads) {
            const int jj = e / dh, d = e % dh;
            kv[jj * stride + d] =
                j0 + jj < tokens ? hv::load(base[size_t(j0 + jj) * width + 2 * heads * dh + d]) : 0.0f;
        }
        __syncthreads();
        // o = c·o + P·V for dims part, part+4, ...: keys outermost, the owned dims unrolled in registers.
HV_UNROLL
        for (int t = 0; t < kMaxDim / kGroup; ++t) o[t] *= correction;
        for (int jj = 0; jj < kKeys; ++jj) {
            const float p = ps[row * (kKeys + 1) + jj];
            const float* v = kv + jj * stride;
HV_UNROLL
            for (int t = 0; t < kMaxDim / kGroup; ++t) {
                const int d = part + kGroup * t;
                if (d < dh) o[t] += p * v[d];
            }
        }
    }
    if (i >= tokens) return;
    T* y = out + (size_t(blockIdx.z) * tokens + i) * size_t(heads * dh) + h * dh;
HV_UNROLL
    for (int t = 0; t < kMaxDim / kGroup; ++t) {
        const int d = part + kGroup * t;
        if (d < dh) y[d] = hv::store<T>(o[t] / l);
    }
}

}  // namespace

namespace hv {

hipError_t launch_attention(hv_dtype dtype, const void* qkv, const void* bias, void* out, int64_t batch,
                            int64_t tokens, int64_t heads, int64_t head_dim, float scale, hipStream_t stream) {
    if (batch == 0 || tokens == 0) return hipSuccess;
    const dim3 grid(unsigned((tokens + kRows - 1) / kRows), unsigned(heads), unsigned(batch));
    const size_t shared = size_t((kRows + kKeys) * (head_dim + 1) + kRows * (kKeys + 1)) * sizeof(float);
    return with_storage(dtype, [&](auto storage) {
        using T = typename decltype(storage)::type;
        const T* q = static_cast<const T*>(qkv);
        const T* b = static_cast<const T*>(bias);
        T* o = static_cast<T*>(out);
        if (head_dim <= 64)
            hipLaunchKernelGGL(HIP_KERNEL_NAME(attention_kernel<T, 64>), grid, dim3(kThreads), shared, stream, q, b,
                               o, int(tokens), int(heads), int(head_dim), scale);
        else
            hipLaunchKernelGGL(HIP_KERNEL_NAME(attention_kernel<T, 128>), grid, dim3(kThreads), shared, stream, q,
                               b, o, int(tokens), int(heads), int(head_dim), scale);
        return hipGetLastError();
    });
}

}  // namespace hv
