// check.h: the few pieces of a test framework the native tests need, nothing more.
//   HV_TEST(name) { ... }  registers a test; HV_CHECK(cond) << "context"; records a failure and goes on.
//   run_tests(argc, argv): runs the tests whose name starts with argv[1] (all without one).
// Random inputs come from one seed per run, printed first (HV_TEST_SEED=<n> replays a run).
#pragma once

#include <cstdint>
#include <functional>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace hvt {

struct Test {
    std::string name;
    std::function<void()> body;
};

std::vector<Test>& registry();
uint64_t seed();
std::mt19937_64& rng();
int& failures();

struct Registrar {
    Registrar(const char* name, std::function<void()> body) { registry().push_back({name, std::move(body)}); }
};

// Streams the message of a failed check to stderr when it goes out of scope.
class Failure {
public:
    Failure(const char* file, int line, const char* expr) {
        ++failures();
        text_ << file << ":" << line << ": check failed: " << expr << " ";
    }
    ~Failure() { std::cerr << text_.str() << "\n"; }
    template <class T>
    Failure& operator<<(const T& v) {
        text_ << v;
        return *this;
    }

private:
    std::ostringstream text_;
};

// Exit code CTest reads as "skipped" (SKIP_RETURN_CODE in CMakeLists.txt).
constexpr int kSkipExitCode = 77;
// Non-empty: why this executable cannot run here (e.g. a GPU build on a machine without a GPU).
std::string skip_reason();
int run_tests(int argc, char** argv);

}  // namespace hvt

#define HV_TEST_CONCAT2(a, b) a##b
#define HV_TEST_CONCAT(a, b) HV_TEST_CONCAT2(a, b)
#define HV_TEST(name)                                                                \
    static void HV_TEST_CONCAT(hv_test_, name)();                                    \
    static ::hvt::Registrar HV_TEST_CONCAT(hv_registrar_, name)(#name, HV_TEST_CONCAT(hv_test_, name)); \
    static void HV_TEST_CONCAT(hv_test_, name)()
#define HV_CHECK(cond) \
    if (cond) {        \
    } else             \
        ::hvt::Failure(__FILE__, __LINE__, #cond)
