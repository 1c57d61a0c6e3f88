// test_tuning_cache.cpp: native/src/libs/tuning_cache.{h,cpp} with a counting finder standing in for a vendor
// library's find step (no GPU involved): the finder runs once per key, a second cache (another context or process)
// reads the file instead; device, library version, shape, dtype and layout each make a different entry; a corrupt,
// truncated or foreign file is ignored with a warning and rewritten; no temporary file is left behind; two processes
// storing at once leave a whole file.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "libs/tuning_cache.h"

std::string hvt::skip_reason() { return ""; }

namespace {

namespace fs = std::filesystem;

const char* kDevice = "NVIDIA H200 sm_90";
const char* kLibrary = "cudnn 90100";

// A fresh directory under the system temp dir, removed at scope exit.
struct TempDir {
    fs::path path;
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "hv_tuning_XXXXXX").string();
        HV_CHECK(::mkdtemp(pattern.data()) != nullptr) << pattern;
        path = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::vector<std::string> files() const {
        std::vector<std::string> names;
        for (const auto& e : fs::directory_iterator(path)) names.push_back(e.path().filename().string());
        return names;
    }
};

// A find step that counts its calls and returns a recognisable entry.
struct CountingFinder {
    int calls = 0;
    hv::TuningEntry operator()() {
        ++calls;
        return hv::TuningEntry{"cudnn:IMPLICIT_PRECOMP_GEMM", 1, 4096, 0.25, ""};
    }
};

hv::TuningEntry find(hv::TuningCache& cache, const std::string& key, CountingFinder& finder, bool* from_cache) {
    return cache.find(key, [&] { return finder(); }, from_cache);
}

const std::string kStemKey = hv::tuning_key("conv2d", {1, 3, 600, 600, 64, 3, 3, 2, 2, 0, 1, 0, 1}, "fp32", "nchw");

void write_text(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

HV_TEST(tuning_cache_finds_once_then_reads_the_file) {
    TempDir dir;
    CountingFinder finder;
    bool from_cache = true;
    {
        hv::TuningCache cache(dir.path.string(), kDevice, kLibrary);
        const hv::TuningEntry e = find(cache, kStemKey, finder, &from_cache);
        HV_CHECK(finder.calls == 1 && !from_cache) << finder.calls;
        HV_CHECK(e.algorithm == "cudnn:IMPLICIT_PRECOMP_GEMM" && e.id == 1 && e.workspace_bytes == 4096);
        find(cache, kStemKey, finder, &from_cache);  // same context: memory
        HV_CHECK(finder.calls == 1 && from_cache);
        HV_CHECK(cache.warnings().empty()) << cache.warnings().front();
    }
    hv::TuningCache second(dir.path.string(), kDevice, kLibrary);  // another context, or process: the file
    const hv::TuningEntry e = find(second, kStemKey, finder, &from_cache);
    HV_CHECK(finder.calls == 1 && from_cache) << finder.calls;
    HV_CHECK(e.algorithm == "cudnn:IMPLICIT_PRECOMP_GEMM" && e.id == 1 && e.workspace_bytes == 4096 && e.time_ms == 0.25);
    HV_CHECK(second.warnings().empty());
}

HV_TEST(tuning_cache_keys_differ_by_device_version_shape_dtype_layout) {
    TempDir dir;
    CountingFinder finder;
    bool from_cache = true;
    hv::TuningCache base(dir.path.string(), kDevice, kLibrary);
    find(base, kStemKey, finder, &from_cache);
    hv::TuningCache other_device(dir.path.string(), "NVIDIA A100-SXM4-80GB sm_80", kLibrary);
    find(other_device, kStemKey, finder, &from_cache);
    HV_CHECK(finder.calls == 2 && !from_cache) << "another device must not reuse the H200's choice";
    hv::TuningCache other_version(dir.path.string(), kDevice, "cudnn 90200");
    find(other_version, kStemKey, finder, &from_cache);
    HV_CHECK(finder.calls == 3 && !from_cache) << "another library version must tune again";
    HV_CHECK(base.path() != other_device.path() && base.path() != other_version.path());
    HV_CHECK(dir.files().size() == 3) << dir.files().size();

    const std::string keys[] = {
        hv::tuning_key("conv2d", {2, 3, 600, 600, 64, 3, 3, 2, 2, 0, 1, 0, 1}, "fp32", "nchw"),  // batch
        hv::tuning_key("conv2d", {1, 3, 600, 600, 64, 3, 3, 1, 1, 0, 1, 0, 1}, "fp32", "nchw"),  // stride
        hv::tuning_key("conv2d", {1, 3, 600, 600, 64, 3, 3, 2, 2, 0, 1, 0, 1}, "fp16", "nchw"),  // dtype
        hv::tuning_key("conv2d", {1, 3, 600, 600, 64, 3, 3, 2, 2, 0, 1, 0, 1}, "fp32", "nhwc"),  // layout
    };
    for (const std::string& key : keys) {
        HV_CHECK(key != kStemKey) << key;
        find(base, key, finder, &from_cache);
        HV_CHECK(!from_cache) << key;
    }
    HV_CHECK(finder.calls == 7) << finder.calls;
    hv::TuningCache reread(dir.path.string(), kDevice, kLibrary);
    for (const std::string& key : keys) find(reread, key, finder, &from_cache);
    HV_CHECK(finder.calls == 7 && from_cache) << "all five keys are in one file";
    HV_CHECK(hv::tuning_file_name("a/b", "x") != hv::tuning_file_name("a_b", "x")) << "sanitised names keep a hash";
}

HV_TEST(tuning_cache_ignores_and_rewrites_a_bad_file) {
    TempDir dir;
    const std::string path = hv::TuningCache(dir.path.string(), kDevice, kLibrary).path();
    CountingFinder good;
    {
        hv::TuningCache cache(dir.path.string(), kDevice, kLibrary);
        bool from_cache = false;
        find(cache, kStemKey, good, &from_cache);
        find(cache, "conv2d|other|fp32|nhwc", good, &from_cache);
    }
    const std::string valid = read_text(path);
    const std::string bad_files[] = {
        "garbage\n\x01\x02 not a cache at all",
        valid.substr(0, valid.size() - 7),                                            // truncated: the end line cut
        valid.substr(0, valid.rfind("conv2d|other")),                                 // truncated at a line boundary
        std::string("hipvision-tuning 2") + valid.substr(valid.find('\n')),           // a newer format
        "hipvision-tuning 1\ndevice\tAMD MI300X gfx942\nlibrary\tmiopen 3.1.0\nend\t0\n",  // another identity
        std::string(valid).replace(valid.find("\t4096\t"), 6, "\t-12\t"),              // a negative workspace
        "",                                                                            // empty
    };
    for (const std::string& bad : bad_files) {
        write_text(path, bad);
        CountingFinder finder;
        bool from_cache = true;
        hv::TuningCache cache(dir.path.string(), kDevice, kLibrary);
        find(cache, kStemKey, finder, &from_cache);
        HV_CHECK(finder.calls == 1 && !from_cache) << "a bad file is not trusted: " << bad.substr(0, 40);
        HV_CHECK(cache.warnings().size() == 1) << cache.warnings().size();
        if (!cache.warnings().empty()) {
            HV_CHECK(cache.warnings()[0].find("ignored") != std::string::npos) << cache.warnings()[0];
        }
        hv::TuningCache after(dir.path.string(), kDevice, kLibrary);  // rewritten whole
        find(after, kStemKey, finder, &from_cache);
        HV_CHECK(finder.calls == 1 && from_cache && after.warnings().empty());
    }
}

HV_TEST(tuning_cache_write_leaves_no_temporary_file) {
    TempDir dir;
    const fs::path nested = dir.path / "hipvision" / "tuning";  // created on first store
    hv::TuningCache cache(nested.string(), kDevice, kLibrary);
    CountingFinder finder;
    bool from_cache = false;
    for (int i = 0; i < 20; ++i) find(cache, "conv2d|" + std::to_string(i) + "|fp32|nhwc", finder, &from_cache);
    int files = 0;
    for (const auto& e : fs::directory_iterator(nested)) {
        ++files;
        HV_CHECK(e.path().string() == cache.path()) << "left behind: " << e.path();
    }
    HV_CHECK(files == 1) << files;
    HV_CHECK(read_text(cache.path()).find("end\t20\n") != std::string::npos);

    hv::TuningCache memory("", kDevice, kLibrary);  // no directory: nothing written anywhere
    find(memory, kStemKey, finder, &from_cache);
    find(memory, kStemKey, finder, &from_cache);
    HV_CHECK(memory.path().empty() && from_cache && finder.calls == 21);

    hv::TuningCache unwritable("/proc/hipvision-no-such-dir", kDevice, kLibrary);  // a warning, not an error
    find(unwritable, kStemKey, finder, &from_cache);
    HV_CHECK(!from_cache && unwritable.warnings().size() == 1) << unwritable.warnings().size();
}

HV_TEST(tuning_cache_two_processes_leave_a_whole_file) {
    TempDir dir;
    const int keys = 60;
    pid_t children[2];
    for (int p = 0; p < 2; ++p) {
        children[p] = ::fork();
        if (children[p] == 0) {
            hv::TuningCache cache(dir.path.string(), kDevice, kLibrary);
            CountingFinder finder;
            bool from_cache = false;
            for (int i = 0; i < keys; ++i)
                find(cache, "conv2d|p" + std::to_string(p) + "k" + std::to_string(i) + "|fp32|nhwc", finder, &from_cache);
            ::_exit(cache.warnings().empty() && finder.calls == keys ? 0 : 1);
        }
    }
    for (pid_t child : children) {
        int status = -1;
        ::waitpid(child, &status, 0);
        HV_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child " << child << " status " << status;
    }
    HV_CHECK(dir.files().size() == 1) << dir.files().size() << " files (a temporary one left?)";
    hv::TuningCache cache(dir.path.string(), kDevice, kLibrary);
    CountingFinder finder;
    int whole = 0;
    for (int p = 0; p < 2; ++p) {
        int found = 0;
        for (int i = 0; i < keys; ++i) {
            bool from_cache = false;
            const int before = finder.calls;
            find(cache, "conv2d|p" + std::to_string(p) + "k" + std::to_string(i) + "|fp32|nhwc", finder, &from_cache);
            found += finder.calls == before ? 1 : 0;
        }
        whole += found == keys ? 1 : 0;
    }
    HV_CHECK(cache.warnings().empty()) << cache.warnings().front();
    HV_CHECK(whole >= 1) << "the last writer's keys are all there";
}
