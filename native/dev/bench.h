// bench.h: the scaffolding the kernel playgrounds share: a stream of the chosen shape, device buffers,
// a wall-clock timer around synchronised repetitions, and one result line per version.
// Not part of libhipvision; exits on a runtime error (a playground, not the library: STYLE's no-exit
// rule covers native/src/).
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "hv_platform.h"

namespace dev {

// Default sizes are smaller on the emulator, where every shuffle and barrier is a fiber switch: its
// timings measure the CPU stand-in, not a GPU, and say nothing about which version wins on one.
#if defined(HV_PLATFORM_EMULATOR)
constexpr bool kEmulator = true;
#else
constexpr bool kEmulator = false;
#endif

inline void check(hipError_t e, const char* what) {
    if (e == hipSuccess) return;
    std::fprintf(stderr, "%s: %s\n", what, hipGetErrorString(e));
    std::exit(1);
}

// The emulator takes its warp width per stream; a GPU has its own (reported back through `warp`).
inline hipStream_t make_stream(int& warp) {
    hipStream_t s = nullptr;
#if defined(HV_PLATFORM_EMULATOR)
    check(hv::emu::stream_create(&s, warp, 0), "stream_create");
#else
    check(hipDeviceGetAttribute(&warp, hipDeviceAttributeWarpSize, 0), "hipDeviceGetAttribute");
    check(hipStreamCreate(&s), "hipStreamCreate");
#endif
    return s;
}

// A device copy of `host` (or `floats` uninitialised floats when host is empty), freed on scope exit.
class DeviceFloats {
public:
    explicit DeviceFloats(const std::vector<float>& host, size_t floats = 0) : n_(host.empty() ? floats : host.size()) {
        check(hipMalloc(reinterpret_cast<void**>(&p_), std::max<size_t>(n_, 1) * sizeof(float)), "hipMalloc");
        if (!host.empty()) check(hipMemcpy(p_, host.data(), n_ * sizeof(float), hipMemcpyHostToDevice), "hipMemcpy");
    }
    ~DeviceFloats() { (void)hipFree(p_); }
    DeviceFloats(const DeviceFloats&) = delete;
    DeviceFloats& operator=(const DeviceFloats&) = delete;
    float* get() const { return p_; }
    std::vector<float> download() const {
        std::vector<float> v(n_);
        check(hipMemcpy(v.data(), p_, n_ * sizeof(float), hipMemcpyDeviceToHost), "hipMemcpy");
        return v;
    }

private:
    size_t n_;
    float* p_ = nullptr;
};

inline std::vector<float> random_floats(size_t n, float lo, float hi, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<float> u(lo, hi);
    std::vector<float> v(n);
    for (auto& e : v) e = u(rng);
    return v;
}

inline double relative_error(const std::vector<float>& got, const std::vector<double>& want) {
    double d2 = 0, w2 = 0;
    for (size_t i = 0; i < got.size(); ++i) {
        d2 += (got[i] - want[i]) * (got[i] - want[i]);
        w2 += want[i] * want[i];
    }
    return std::sqrt(d2 / std::max(w2, 1e-300));
}

// Milliseconds per call: one warm-up, then `reps` calls between two stream synchronisations.
inline double time_ms(hipStream_t s, int reps, const std::function<void()>& launch) {
    launch();
    check(hipStreamSynchronize(s), "warm-up");
    const auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < reps; ++r) launch();
    check(hipStreamSynchronize(s), "timed runs");
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / reps;
}

// One table row: version, check against the CPU reference, time, and the rate against `peak` if given.
inline bool report(const char* version, double rel_error, double bound, double ms, double amount, const char* unit,
                   double peak) {
    const double rate = amount / (ms * 1e-3) / 1e9;
    const bool ok = rel_error <= bound;
    std::printf("  %-34s %s |d|/|ref| %.1e  %9.3f ms  %9.2f %s", version, ok ? "ok  " : "FAIL", rel_error, ms, rate, unit);
    if (peak > 0) std::printf("  (%.1f%% of %.0f)", 100.0 * rate / peak, peak);
    std::printf("\n");
    return ok;
}

// --name value options; everything has a default so `./hv_dev_x` alone runs.
inline double option(int argc, char** argv, const char* name, double fallback) {
    for (int i = 1; i + 1 < argc; ++i)
        if (std::string(argv[i]) == name) return std::atof(argv[i + 1]);
    return fallback;
}

// The peak bandwidth for report's share column: --peak-gbs, else HV_PEAK_GBS (the card's peak GB/s, e.g.
// 3277 for MI250X's GCD pair, 4800 for H200), else 0 (no share column).
inline double peak_gbs(int argc, char** argv) {
    const char* env = std::getenv("HV_PEAK_GBS");
    return option(argc, argv, "--peak-gbs", env ? std::atof(env) : 0.0);
}

}  // namespace dev
