// test_emulator.cpp: the CPU emulator's primitives have GPU semantics, at warp sizes 32 and 64:
// shuffles (xor, down, up, indexed, with widths), ballot/any/all on partial warps, __syncthreads
// across generations, __shared__ per block under concurrent host threads, dynamic shared memory,
// atomics across blocks, 3-D indices; and its failures are errors, not hangs or aborts.
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "check.h"
#include "hv_platform.h"

namespace {

struct Stream {
    hipStream_t s = nullptr;
    Stream(int warp, int threads = 2) { HV_CHECK(hv::emu::stream_create(&s, warp, threads) == hipSuccess); }
    ~Stream() { hipStreamDestroy(s); }
};

hipError_t launched() {
    const hipError_t e = hipGetLastError();
    HV_CHECK(e == hipSuccess) << hipGetErrorString(e) << ": " << hv::emu::last_error_detail();
    return e;
}

// out[t*4 + k]: lane t's result of shuffle k.
__global__ void shuffle_kernel(int* out, int xor_mask, int delta, int src, int width) {
    const int t = threadIdx.x;
    const int v = 1000 + t;
    out[t * 4 + 0] = __shfl_xor(v, xor_mask, width);
    out[t * 4 + 1] = __shfl_down(v, unsigned(delta), width);
    out[t * 4 + 2] = __shfl_up(v, unsigned(delta), width);
    out[t * 4 + 3] = __shfl(v, src, width);
}

__global__ void float_xor_sum_kernel(float* out) {
    float v = float(threadIdx.x);
    for (int offset = warpSize / 2; offset > 0; offset /= 2) v += __shfl_xor(v, offset);
    out[threadIdx.x] = v;
}

__global__ void ballot_kernel(unsigned long long* ballots, int* alls, int* anys) {
    const int t = threadIdx.x;
    ballots[t] = __ballot(t % 3 == 0);
    alls[t] = __all(1) * 2 + __all(t % 2);
    anys[t] = __any(t == 5) * 2 + __any(0);
}

__global__ void barrier_rotate_kernel(int* out, int rounds) {
    __shared__ int ring[1024];
    const int n = blockDim.x, t = threadIdx.x;
    int v = t;
    for (int r = 0; r < rounds; ++r) {
        ring[t] = v;
        __syncthreads();
        v = ring[(t + 1) % n];
        __syncthreads();
    }
    out[t] = v;
}

// The same without barriers: a GPU may read stale neighbours; so must the emulator, or it hides races.
// `salt` differs per launch, so values left in (never re-poisoned) static shared memory cannot match.
__global__ void racy_rotate_kernel(int* out, int salt) {
    __shared__ int ring[1024];
    const int t = threadIdx.x;
    ring[t] = t + salt;
    out[t] = ring[(t + 1) % blockDim.x] - salt;
}

__global__ void block_sum_kernel(const int* in, int* out) {
    __shared__ int partial[1024];
    const int t = threadIdx.x;
    partial[t] = in[blockIdx.x * blockDim.x + t];
    __syncthreads();
    for (int stride = blockDim.x / 2; stride > 0; stride /= 2) {
        if (t < stride) partial[t] += partial[t + stride];
        __syncthreads();
    }
    if (t == 0) out[blockIdx.x] = partial[0];
}

__global__ void atomic_kernel(int* count, float* fsum, unsigned* max_block) {
    atomicAdd(count, 1);
    atomicAdd(fsum, 0.5f);
    atomicMax(max_block, blockIdx.x);
}

__global__ void index_kernel(int* out) {
    const unsigned block = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
    const unsigned thread = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
    out[block * (blockDim.x * blockDim.y * blockDim.z) + thread] += 1;
}

__global__ void dynamic_shared_kernel(float* first_seen, float* out) {
    HV_DYNAMIC_SHARED(float, buf);
    const int t = threadIdx.x;
    if (t == 0) first_seen[blockIdx.x] = buf[0];
    __syncthreads();
    buf[t] = float(t);
    __syncthreads();
    out[blockIdx.x * blockDim.x + t] = buf[blockDim.x - 1 - t];
}

__global__ void divergent_barrier_kernel(int* out) {
    int v = threadIdx.x;
    if (threadIdx.x % warpSize == 0)
        __syncthreads();
    else
        v = __shfl_xor(v, 1);
    out[threadIdx.x] = v;
}

__global__ void throwing_kernel(int* out) {
    if (threadIdx.x == 3) throw std::runtime_error("lane 3 gave up");
    out[threadIdx.x] = 1;
}

}  // namespace

std::string hvt::skip_reason() { return ""; }

HV_TEST(emulator_shuffles_follow_hip_rules) {
    for (int ws : {32, 64}) {
        Stream st(ws);
        const int n = ws * 2;   // two warps: lanes restart at the second
        std::vector<int> out(n * 4);
        const int cases[][4] = {{1, 1, 0, 0}, {ws / 2, 3, 5, 0}, {5, 7, 33, 16}, {8, 1, 2, 8}, {16, 15, 0, 16}};
        for (const auto& c : cases) {
            const int mask = c[0], delta = c[1], src = c[2], width = c[3] ? c[3] : ws;
            hipLaunchKernelGGL(shuffle_kernel, dim3(1), dim3(n), 0, st.s, out.data(), mask, delta, src, width);
            launched();
            for (int t = 0; t < n; ++t) {
                const int lane = t % ws, base = t - lane, seg = lane & ~(width - 1), in_seg = lane & (width - 1);
                const int x = (lane ^ mask) >= seg + width ? lane : (lane ^ mask);
                const int d = in_seg + delta >= width ? lane : lane + delta;
                const int u = in_seg < delta ? lane : lane - delta;
                const int s = seg + (src & (width - 1));
                const int want[4] = {1000 + base + x, 1000 + base + d, 1000 + base + u, 1000 + base + s};
                for (int k = 0; k < 4; ++k)
                    HV_CHECK(out[t * 4 + k] == want[k]) << "warp " << ws << " width " << width << " thread " << t << " op "
                                                        << k << ": got " << out[t * 4 + k] << " want " << want[k];
            }
        }
        std::vector<float> sums(n);
        hipLaunchKernelGGL(float_xor_sum_kernel, dim3(1), dim3(n), 0, st.s, sums.data());
        launched();
        for (int t = 0; t < n; ++t) {
            const int w = t / ws;
            const float want = float(ws) * float(w * ws) + float(ws) * float(ws - 1) / 2;
            HV_CHECK(sums[t] == want) << "warp " << ws << " thread " << t << ": " << sums[t] << " vs " << want;
        }
    }
}

HV_TEST(emulator_ballot_any_all_on_partial_warps) {
    for (int ws : {32, 64}) {
        Stream st(ws);
        const int n = ws + 9;   // the second warp has 9 live lanes
        std::vector<unsigned long long> ballots(n);
        std::vector<int> alls(n), anys(n);
        hipLaunchKernelGGL(ballot_kernel, dim3(1), dim3(n), 0, st.s, ballots.data(), alls.data(), anys.data());
        launched();
        for (int t = 0; t < n; ++t) {
            const int w = t / ws, live = w == 0 ? ws : 9;
            unsigned long long want = 0;
            for (int l = 0; l < live; ++l)
                if ((w * ws + l) % 3 == 0) want |= 1ull << l;
            HV_CHECK(ballots[t] == want) << "warp " << ws << " thread " << t << std::hex << ": " << ballots[t] << " vs " << want;
            HV_CHECK(alls[t] == 2) << "warp " << ws << " thread " << t << " __all";
            HV_CHECK(anys[t] == (w == 0 ? 2 : 0)) << "warp " << ws << " thread " << t << " __any";
        }
    }
}

HV_TEST(emulator_syncthreads_orders_shared_memory) {
    for (int ws : {32, 64}) {
        Stream st(ws);
        for (int n : {1, 33, 256, 1024}) {
            std::vector<int> out(n);
            hipLaunchKernelGGL(barrier_rotate_kernel, dim3(1), dim3(n), 0, st.s, out.data(), 5);
            launched();
            for (int t = 0; t < n; ++t) HV_CHECK(out[t] == (t + 5) % n) << "n " << n << " thread " << t << ": " << out[t];
        }
        // Without the barrier the emulator must not produce the synchronised answer.
        std::vector<int> racy(64, -1);
        hipLaunchKernelGGL(racy_rotate_kernel, dim3(1), dim3(64), 0, st.s, racy.data(), 1000 * ws);
        launched();
        int agree = 0;
        for (int t = 0; t < 64; ++t) agree += racy[t] == (t + 1) % 64;
        HV_CHECK(agree < 64) << "a missing __syncthreads went unnoticed";
    }
}

HV_TEST(emulator_shared_memory_is_per_block_under_host_threads) {
    Stream st(64, 4);
    const int blocks = 97, n = 128;
    std::vector<int> in(blocks * n), out(blocks);
    for (size_t i = 0; i < in.size(); ++i) in[i] = int(hvt::rng()() % 1000);
    hipLaunchKernelGGL(block_sum_kernel, dim3(blocks), dim3(n), 0, st.s, in.data(), out.data());
    launched();
    for (int b = 0; b < blocks; ++b) {
        int want = 0;
        for (int t = 0; t < n; ++t) want += in[b * n + t];
        HV_CHECK(out[b] == want) << "block " << b << ": " << out[b] << " vs " << want;
    }
}

HV_TEST(emulator_atomics_across_blocks) {
    Stream st(32, 4);
    int count = 0;
    float fsum = 0;
    unsigned max_block = 0;
    hipLaunchKernelGGL(atomic_kernel, dim3(300), dim3(64), 0, st.s, &count, &fsum, &max_block);
    launched();
    HV_CHECK(count == 300 * 64) << count;
    HV_CHECK(fsum == 300 * 64 * 0.5f) << fsum;
    HV_CHECK(max_block == 299) << max_block;
}

HV_TEST(emulator_indices_cover_3d_grids) {
    Stream st(32, 3);
    const dim3 grid(3, 2, 4), block(5, 3, 2);
    std::vector<int> out(3 * 2 * 4 * 5 * 3 * 2, 0);
    hipLaunchKernelGGL(index_kernel, grid, block, 0, st.s, out.data());
    launched();
    for (size_t i = 0; i < out.size(); ++i) HV_CHECK(out[i] == 1) << "element " << i << " written " << out[i] << " times";
}

HV_TEST(emulator_dynamic_shared_memory_is_poisoned_then_shared) {
    Stream st(64);
    const int blocks = 3, n = 50;
    std::vector<float> first(blocks), out(blocks * n);
    hipLaunchKernelGGL(dynamic_shared_kernel, dim3(blocks), dim3(n), n * sizeof(float), st.s, first.data(), out.data());
    launched();
    for (int b = 0; b < blocks; ++b) {
        HV_CHECK(std::isnan(first[b])) << "block " << b << " saw " << first[b] << " before writing";
        for (int t = 0; t < n; ++t) HV_CHECK(out[b * n + t] == float(n - 1 - t));
    }
}

HV_TEST(emulator_failures_are_errors_not_aborts) {
    Stream st(32);
    std::vector<int> out(64);
    hipLaunchKernelGGL(divergent_barrier_kernel, dim3(2), dim3(64), 0, st.s, out.data());
    HV_CHECK(hipGetLastError() == hipErrorLaunchFailure);
    HV_CHECK(std::strstr(hv::emu::last_error_detail(), "deadlock")) << hv::emu::last_error_detail();

    hipLaunchKernelGGL(throwing_kernel, dim3(1), dim3(8), 0, st.s, out.data());
    HV_CHECK(hipGetLastError() == hipErrorLaunchFailure);
    HV_CHECK(std::strstr(hv::emu::last_error_detail(), "lane 3 gave up")) << hv::emu::last_error_detail();

    hipLaunchKernelGGL(throwing_kernel, dim3(1), dim3(2048), 0, st.s, out.data());
    HV_CHECK(hipGetLastError() == hipErrorInvalidConfiguration);
    HV_CHECK(hipGetLastError() == hipSuccess) << "hipGetLastError resets";

    hipStream_t bad = nullptr;
    HV_CHECK(hv::emu::stream_create(&bad, 16, 1) == hipErrorInvalidValue && bad == nullptr);
    HV_CHECK(hipGetLastError() == hipErrorInvalidValue) << "runtime errors are recorded as HIP does";

    // The runner is still healthy after a deadlocked block was abandoned.
    hipLaunchKernelGGL(barrier_rotate_kernel, dim3(1), dim3(64), 0, st.s, out.data(), 1);
    launched();
    HV_CHECK(out[0] == 1 && out[63] == 0);
}
