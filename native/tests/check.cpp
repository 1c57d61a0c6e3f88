// check.cpp: registry, seed and runner behind check.h.
#include "check.h"

#include <chrono>
#include <cstdlib>
#include <exception>

namespace hvt {

std::vector<Test>& registry() {
    static std::vector<Test> tests;
    return tests;
}

uint64_t seed() {
    static const uint64_t s = [] {
        if (const char* env = std::getenv("HV_TEST_SEED")) return uint64_t(std::strtoull(env, nullptr, 10));
        return uint64_t(std::random_device{}()) << 32 ^ uint64_t(std::random_device{}());
    }();
    return s;
}

std::mt19937_64& rng() {
    static std::mt19937_64 r(seed());
    return r;
}

int& failures() {
    static int n = 0;
    return n;
}

int run_tests(int argc, char** argv) {
    const std::string filter = argc > 1 ? argv[1] : "";
    std::cout << "seed " << seed() << " (replay with HV_TEST_SEED=" << seed() << ")\n";
    if (const std::string why = skip_reason(); !why.empty()) {
        std::cout << "SKIP: " << why << "\n";
        return kSkipExitCode;
    }
    int ran = 0, failed = 0;
    for (const Test& t : registry()) {
        if (t.name.rfind(filter, 0) != 0) continue;
        const int before = failures();
        const auto start = std::chrono::steady_clock::now();
        try {
            t.body();
        } catch (const std::exception& e) {
            ++failures();
            std::cerr << t.name << ": threw " << e.what() << "\n";
        }
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        const bool ok = failures() == before;
        std::cout << (ok ? "PASS " : "FAIL ") << t.name << " (" << ms << " ms)\n";
        ++ran;
        failed += ok ? 0 : 1;
    }
    std::cout << ran - failed << " passed, " << failed << " failed\n";
    if (ran == 0) {
        std::cerr << "no test matches '" << filter << "'\n";
        return 1;
    }
    return failed ? 1 : 0;
}

}  // namespace hvt

int main(int argc, char** argv) { return hvt::run_tests(argc, argv); }
