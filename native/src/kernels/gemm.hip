// gemm.hip: HipVision's own GEMM (the emulator, and GPUs built without a vendor BLAS), with the bias and
// activation epilogue fused. Row-major, batched through strides:
//   C_z[m, n] = act(alpha · Σ_k op(A_z)[m, k]·op(B_z)[k, n] + beta·C_z[m, n] + bias[n])
//   op(A) = A [M, K] or, transposed, A stored [K, M]; op(B) = B [K, N] or B stored [N, K] (Linear weight)
//   X_z = X + z·stride_x; beta == 0 never reads C (it may hold NaN, as BLAS allows).
// Geometry: 64×64 tiles of C per block, 256 threads, each accumulating a 4×4 micro-tile in registers at
//   rows ty + 16i, cols tx + 16j (tx = tid mod 16, ty = tid / 16), so the C stores of a warp are
//   consecutive. K advances 16 at a time through shared As[16][64] and Bs[16][64], both k-major so the
//   inner product reads a broadcast of A and 16 consecutive B values; the loads pick the global order
//   that is contiguous for each transpose flag, with zero fill past the edges. No warp-level code,
//   so warp 32 and 64 behave alike. grid = (⌈M/64⌉, ⌈N/64⌉, min(batch, 65535)), blocks loop over z;
//   N ≤ 65535·64 (grid y), checked by the caller.
// Storage: A, B, bias and C of one type (storage.h); tiles are widened to float as they are staged in
//   shared memory, the micro-tiles accumulate in float, and each C element is rounded once in the epilogue.
// Reference: native/tests/test_gemm.cpp (float64, every transpose pair, batched strides, activations),
//   test_precision.cpp (fp16/bf16).
#include "activation.h"
#include "kernels.h"
#include "storage.h"

namespace {

constexpr int kTile = 64;
constexpr int kDepth = 16;
constexpr int kThreads = 256;
constexpr int kMicro = 4;                 // a thread's C values per dimension
constexpr int kSpread = kTile / kMicro;   // 16 threads per dimension: 16 × 16 = kThreads

template <class T>
__device__ __forceinline__ float element(const T* p, int64_t row, int64_t col, int64_t rows, int64_t cols) {
    return row < rows && col < cols ? hv::load(p[row * cols + col]) : 0.0f;
}

template <class T>
__global__ void __launch_bounds__(kThreads)
gemm_kernel(const T* a, const T* b, const T* bias, T* c, int batch, int m, int n, int k,
            int64_t stride_a, int64_t stride_b, int64_t stride_c, int trans_a, int trans_b, float alpha, float beta,
            int activation) {
    __shared__ float as[kDepth][kTile];
    __shared__ float bs[kDepth][kTile];
    const int tid = threadIdx.x, tx = tid % kSpread, ty = tid / kSpread;
    const int m0 = blockIdx.x * kTile, n0 = blockIdx.y * kTile;

    for (int z = blockIdx.z; z < batch; z += gridDim.z) {
        const T* az = a + z * stride_a;
        const T* bz = b + z * stride_b;
        T* cz = c + z * stride_c;
        float acc[kMicro][kMicro] = {};
        for (int k0 = 0; k0 < k; k0 += kDepth) {
            for (int e = tid; e < kTile * kDepth; e += kThreads) {
                // Row-major A [M, K] is contiguous along k; stored [K, M] (trans_a) along m. Same for B.
                const int along_k = e % kDepth, across_k = e / kDepth;
                const int along_t = e % kTile, across_t = e / kTile;
                if (trans_a) as[across_t][along_t] = element(az, k0 + across_t, m0 + along_t, k, m);
                else as[along_k][across_k] = element(az, m0 + across_k, k0 + along_k, m, k);
                if (trans_b) bs[along_k][across_k] = element(bz, n0 + across_k, k0 + along_k, n, k);
                else bs[across_t][along_t] = element(bz, k0 + across_t, n0 + along_t, k, n);
            }
            __syncthreads();
            for (int kk = 0; kk < kDepth; ++kk) {
                float av[kMicro], bv[kMicro];
                for (int i = 0; i < kMicro; ++i) av[i] = as[kk][ty + kSpread * i];
                for (int j = 0; j < kMicro; ++j) bv[j] = bs[kk][tx + kSpread * j];
                for (int i = 0; i < kMicro; ++i)
                    for (int j = 0; j < kMicro; ++j) acc[i][j] += av[i] * bv[j];
            }
            __syncthreads();
        }
        for (int i = 0; i < kMicro; ++i) {
            const int row = m0 + ty + kSpread * i;
            if (row >= m) continue;
            for (int j = 0; j < kMicro; ++j) {
                const int col = n0 + tx + kSpread * j;
                if (col >= n) continue;
                float v = alpha * acc[i][j];
                if (beta != 0.0f) v += beta * hv::load(cz[int64_t(row) * n + col]);
                if (bias) v += hv::load(bias[col]);
                cz[int64_t(row) * n + col] = hv::store<T>(activate(v, activation));
            }
        }
    }
}

}  // namespace

namespace hv {

hipError_t launch_gemm(hv_dtype dtype, const void* a, const void* b, const void* bias, void* c, int64_t batch,
                       int64_t m, int64_t n, int64_t k, int64_t stride_a, int64_t stride_b, int64_t stride_c,
                       bool trans_a, bool trans_b, float alpha, float beta, int activation, hipStream_t stream) {
    if (batch == 0 || m == 0 || n == 0) return hipSuccess;
    const dim3 grid(unsigned((m + kTile - 1) / kTile), unsigned((n + kTile - 1) / kTile),
                    unsigned(batch < 65535 ? batch : 65535));
    return with_storage(dtype, [&](auto storage) {
        using T = typename decltype(storage)::type;
        hipLaunchKernelGGL(gemm_kernel<T>, grid, dim3(kThreads), 0, stream, static_cast<const T*>(a),
                           static_cast<const T*>(b), static_cast<const T*>(bias), static_cast<T*>(c), int(batch),
                           int(m), int(n), int(k), stride_a, stride_b, stride_c, int(trans_a), int(trans_b), alpha,
                           beta, activation);
        return hipGetLastError();
    });
}

}  // namespace hv
