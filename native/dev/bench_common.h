// bench_common.h: the little the kernel playgrounds share: device buffers, wall-clock timing of a launch
// (synchronised before and after; averaged over iterations, so it includes launch overhead), and the
// max relative error against a CPU reference. Runs on every build variant; under the emulator the
// times measure the CPU emulation, not a GPU.
#pragma once

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "../src/platform/hv_platform.h"

namespace bench {

inline void check(hipError_t e, const char* what) {
    if (e != hipSuccess) {
        std::fprintf(stderr, "%s: %s\n", what, hipGetErrorString(e));
        std::exit(1);
    }
}

template <class T>
T* upload(const std::vector<T>& host) {
    void* p = nullptr;
    check(hipMalloc(&p, host.size() * sizeof(T) + 1), "hipMalloc");
    check(hipMemcpy(p, host.data(), host.size() * sizeof(T), hipMemcpyHostToDevice), "hipMemcpy H2D");
    return static_cast<T*>(p);
}

template <class T>
std::vector<T> download(const T* device, size_t n) {
    std::vector<T> host(n);
    check(hipMemcpy(host.data(), device, n * sizeof(T), hipMemcpyDeviceToHost), "hipMemcpy D2H");
    return host;
}

inline std::vector<float> random_floats(size_t n, float lo, float hi, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(lo, hi);
    std::vector<float> v(n);
    for (float& x : v) x = u(rng);
    return v;
}

// Milliseconds per call of `launch`, after one warm-up call.
template <class Launch>
double time_ms(hipStream_t stream, int iterations, Launch&& launch) {
    check(launch(), "warm-up launch");
    check(hipStreamSynchronize(stream), "sync");
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < iterations; ++i) check(launch(), "launch");
    check(hipStreamSynchronize(stream), "sync");
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() / iterations;
}

// ‖got − want‖ / ‖want‖.
inline double relative_error(const std::vector<float>& got, const std::vector<double>& want) {
    double d2 = 0, w2 = 0;
    for (size_t i = 0; i < got.size(); ++i) {
        d2 += (got[i] - want[i]) * (got[i] - want[i]);
        w2 += want[i] * want[i];
    }
    return std::sqrt(d2 / (w2 > 0 ? w2 : 1));
}

// GB/s, and the fraction of HV_PEAK_GBS (the card's peak bandwidth, e.g. 3277 for MI250X's GCD pair,
// 4800 for H200) when that is set.
inline void print_row(const char* version, double ms, double bytes, double rel) {
    const double gbs = bytes / (ms * 1e6);
    const char* peak = std::getenv("HV_PEAK_GBS");
    if (peak)
        std::printf("  %-28s %9.3f ms %9.1f GB/s (%5.1f%% of peak)  rel err %.2e%s\n", version, ms, gbs,
                    100.0 * gbs / std::atof(peak), rel, rel <= 1e-5 ? "" : "  WRONG");
    else
        std::printf("  %-28s %9.3f ms %9.1f GB/s  rel err %.2e%s\n", version, ms, gbs, rel, rel <= 1e-5 ? "" : "  WRONG");
}

}  // namespace bench
